package ratelimit

import (
	"bytes"
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/storekeep/storekeep"
)

// redisLink is a link to the test Redis that can hold the next reply on
// a connection until released, and go down: then it dials nothing and
// its connections fail. Attempts counts what was tried while down.
type redisLink struct {
	down     atomic.Bool
	hold     atomic.Bool
	reached  chan struct{}
	release  chan struct{}
	attempts atomic.Int64
}

type linkConn struct {
	net.Conn
	link *redisLink
}

func (c linkConn) Read(p []byte) (int, error) {
	if c.link.hold.CompareAndSwap(true, false) {
		c.link.reached <- struct{}{}
		<-c.link.release
	}
	return c.Conn.Read(p)
}

func (c linkConn) Write(p []byte) (int, error) {
	if c.link.down.Load() {
		c.link.attempts.Add(1)
		return 0, errors.New("link down")
	}
	return c.Conn.Write(p)
}

func linkedRedis(t *testing.T) (*redis.Client, string, *redisLink) {
	t.Helper()
	real := testRedis(t)
	link := &redisLink{reached: make(chan struct{}), release: make(chan struct{})}
	client := redis.NewClient(&redis.Options{
		Addr: real.Options().Addr, DB: real.Options().DB,
		Username: real.Options().Username, Password: real.Options().Password,
		MaxRetries: -1, DialerRetries: 1, PoolSize: 4, DisableIdentity: true,
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if link.down.Load() {
				link.attempts.Add(1)
				return nil, errors.New("link down")
			}
			var d net.Dialer
			c, err := d.DialContext(ctx, network, addr)
			return linkConn{c, link}, err
		},
	})
	t.Cleanup(func() { client.Close() })
	return client, testPrefix(t, real), link
}

// A call that was sent while Redis worked and answered after another had
// found it gone cleared the failure: the node then asked Redis again on
// the next call, and on every call after each such answer, while Redis
// was as gone as before.
func TestFallbackKeepsAFailureOverAnAnswerToAnEarlierCall(t *testing.T) {
	client, prefix, link := linkedRedis(t)
	clock := newFakeClock()
	f := NewFallback(NewRedis(client, prefix), NewMemory(clock.Now, 0, nil), clock.Now, logTo(new(bytes.Buffer)))
	limit := storekeep.Limit{Count: 5, Per: time.Hour}
	allow(t, f, "warm", limit)
	link.hold.Store(true)
	earlier := make(chan bool)
	go func() {
		ok, _ := f.Allow(ctx, "earlier", limit)
		earlier <- ok
	}()
	<-link.reached
	link.down.Store(true)
	allow(t, f, "later", limit)
	if !f.Degraded() {
		t.Fatal("not degraded after Redis went down")
	}
	close(link.release)
	<-earlier
	if !f.Degraded() {
		t.Error("an answer to a call sent before Redis went down marked it back")
	}
	attempts := link.attempts.Load()
	for range 3 {
		allow(t, f, "next", limit)
	}
	if asked := link.attempts.Load() - attempts; asked != 0 {
		t.Errorf("3 calls within RetryAfter of the failure tried Redis %d times, want 0", asked)
	}
}

// The clock a Fallback reads is the wall clock: stepped back (by NTP, or
// by hand) while Redis was down, it put the next retry as far ahead as
// the step, and the node counted alone, with Redis up, for that long.
func TestFallbackAsksRedisAgainAfterTheClockStepsBack(t *testing.T) {
	client, prefix, link := linkedRedis(t)
	clock := newFakeClock()
	f := NewFallback(NewRedis(client, prefix), NewMemory(clock.Now, 0, nil), clock.Now, logTo(new(bytes.Buffer)))
	limit := storekeep.Limit{Count: 1, Per: time.Hour}
	link.down.Store(true)
	allow(t, f, "k", limit)
	if !f.Degraded() {
		t.Fatal("not degraded with Redis down")
	}
	link.down.Store(false)
	clock.Advance(-time.Hour)
	clock.Advance(RetryAfter)
	allow(t, f, "k", limit)
	if f.Degraded() {
		t.Fatal("Redis is up and a RetryAfter has passed, but the clock stepped back an hour and Redis was not asked")
	}
}
