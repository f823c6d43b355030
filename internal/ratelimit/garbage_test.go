package ratelimit

import (
	"bufio"
	"bytes"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/storekeep/storekeep"
)

// garbageRedis returns a client, set as the node sets its own, for a
// server that speaks Redis's protocol but answers every script run with
// reply, well-formed but not what the script returns: a proxy or another
// service on Redis's port, or a Redis whose scripts were replaced. Every
// other command gets an error, as from an old Redis.
func garbageRedis(t *testing.T, reply string) *redis.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go answerGarbage(c, reply)
		}
	}()
	client := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), DialTimeout: 250 * time.Millisecond,
		ReadTimeout: 250 * time.Millisecond, WriteTimeout: 250 * time.Millisecond, DialerRetries: 1, MaxRetries: -1,
		PoolTimeout: 500 * time.Millisecond, Protocol: 2})
	t.Cleanup(func() { client.Close() })
	return client
}

// answerGarbage reads commands (arrays of bulk strings) from c and answers
// EVAL and EVALSHA with reply, anything else with an error.
func answerGarbage(c net.Conn, reply string) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		args, err := readCommand(r)
		if err != nil {
			return
		}
		out := "-ERR unknown command\r\n"
		if name := strings.ToUpper(args[0]); name == "EVALSHA" || name == "EVAL" {
			out = reply
		}
		if _, err := c.Write([]byte(out)); err != nil {
			return
		}
	}
}

func readCommand(r *bufio.Reader) ([]string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "*")))
	if err != nil || n < 1 {
		return nil, net.ErrClosed
	}
	args := make([]string, n)
	for i := range args {
		if _, err := r.ReadString('\n'); err != nil {
			return nil, err
		}
		arg, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		args[i] = strings.TrimSuffix(arg, "\r\n")
	}
	return args, nil
}

// garbageReplies are well-formed Redis replies that redis_rate's scripts
// never give: each of them, read as the script's, would panic on a type
// assertion or an index.
var garbageReplies = map[string]string{
	"integer":              ":1\r\n",
	"status":               "+OK\r\n",
	"nil":                  "$-1\r\n",
	"short array":          "*1\r\n:1\r\n",
	"strings for integers": "*4\r\n$1\r\n1\r\n$1\r\n0\r\n$2\r\n-1\r\n$2\r\n-1\r\n",
	"integers for strings": "*4\r\n:1\r\n:0\r\n:-1\r\n:-1\r\n",
}

// A Redis that answers garbage is a Redis that fails: Redis answers an
// error, never panics the node, and Fallback counts locally.
func TestRedisAnsweringGarbageIsAnError(t *testing.T) {
	limit := storekeep.Limit{Count: 2, Per: time.Hour}
	for name, reply := range garbageReplies {
		t.Run(name, func(t *testing.T) {
			r := NewRedis(garbageRedis(t, reply), "")
			for _, call := range []string{"Allow", "Exhausted", "Spent"} {
				var err error
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("%s panicked: %v", call, p)
						}
					}()
					switch call {
					case "Allow":
						_, err = r.Allow(ctx, "k", limit)
					case "Exhausted":
						_, err = r.Exhausted(ctx, "k", limit)
					default:
						_, err = r.Spent(ctx, "k", limit)
					}
				}()
				if err == nil {
					t.Errorf("%s on a garbage reply: no error", call)
				}
			}
			f := NewFallback(r, NewMemory(nil, 0, nil), nil, logTo(new(bytes.Buffer)))
			for i := range limit.Count {
				if ok, err := f.Allow(ctx, "k", limit); err != nil || !ok {
					t.Fatalf("fallback event %d of %d: %v, %v", i+1, limit.Count, ok, err)
				}
			}
			if ok, err := f.Allow(ctx, "k", limit); err != nil || ok {
				t.Fatalf("fallback event %d: %v, %v, want refused by the local count", limit.Count+1, ok, err)
			}
			if !f.Degraded() {
				t.Fatal("not degraded while Redis answers garbage")
			}
		})
	}
}

// A key that holds another type (another program's key under the
// prefix) makes Redis answer the script with an error: Redis passes it on
// and Fallback counts the key locally, while other keys stay shared
// (it stays degraded until Redis has answered without error for
// RetryAfter: TestFallbackDoesNotFlapOnOneKeysErrors).
func TestARedisKeyOfAnotherTypeIsCountedLocally(t *testing.T) {
	client := testRedis(t)
	prefix := testPrefix(t, client)
	if err := client.HSet(ctx, "rate:"+prefix+"k", "f", "v").Err(); err != nil {
		t.Fatal(err)
	}
	limit := storekeep.Limit{Count: 2, Per: time.Hour}
	if _, err := NewRedis(client, prefix).Allow(ctx, "k", limit); err == nil || !strings.Contains(err.Error(), "WRONGTYPE") {
		t.Fatalf("Allow on a hash: %v, want Redis's WRONGTYPE error", err)
	}
	f := NewFallback(NewRedis(client, prefix), NewMemory(nil, 0, nil), nil, logTo(new(bytes.Buffer)))
	for i := range limit.Count + 1 {
		if ok, err := f.Allow(ctx, "k", limit); err != nil || ok != (i < limit.Count) {
			t.Fatalf("event %d on a hash: %v, %v, want the local count's answer", i+1, ok, err)
		}
	}
	if ok, err := f.Allow(ctx, "other", limit); err != nil || !ok {
		t.Fatalf("another key after: %v, %v, want counted in Redis", ok, err)
	}
	if client.Exists(ctx, "rate:"+prefix+"other").Val() != 1 {
		t.Fatal("another key was not counted in Redis")
	}
}
