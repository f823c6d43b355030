package ratelimit

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/storekeep/storekeep"
)

// testRedis returns a client for the Redis named by STOREKEEP_TEST_REDIS,
// or, when only CI is set, redis://127.0.0.1:6379/0. Without either the
// test is skipped; with either, an unreachable Redis fails it.
func testRedis(t *testing.T) *redis.Client {
	t.Helper()
	url := os.Getenv("STOREKEEP_TEST_REDIS")
	if url == "" {
		if os.Getenv("CI") == "" {
			t.Skip("set STOREKEEP_TEST_REDIS=redis://127.0.0.1:6379/0 to run the Redis tests")
		}
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("STOREKEEP_TEST_REDIS: %v", err)
	}
	client := redis.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis at %s unreachable: %v", url, err)
	}
	return client
}

// testPrefix returns a key prefix no other test or run shares, and deletes
// the test's keys when it ends.
func testPrefix(t *testing.T, client *redis.Client) string {
	t.Helper()
	b := make([]byte, 8)
	rand.Read(b)
	prefix := "storekeep-test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		iter := client.Scan(ctx, 0, "rate:"+prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
	})
	return prefix
}

// unreachableClient returns a client for a loopback port nothing listens
// on, which fails at once and never retries.
func unreachableClient(t *testing.T) *redis.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { client.Close() })
	return client
}

func TestRedisTripsAtCountPlusOne(t *testing.T) {
	client := testRedis(t)
	r := NewRedis(client, testPrefix(t, client))
	limit := storekeep.Limit{Count: 3, Per: time.Hour}
	for i := range limit.Count {
		if exhausted(t, r, "k", limit) {
			t.Fatalf("exhausted before event %d", i+1)
		}
		if !allow(t, r, "k", limit) {
			t.Fatalf("event %d of %d refused", i+1, limit.Count)
		}
	}
	if !exhausted(t, r, "k", limit) || allow(t, r, "k", limit) {
		t.Fatal("event 4 allowed")
	}
	if exhausted(t, r, "other", limit) || !allow(t, r, "other", limit) {
		t.Fatal("another key refused")
	}
}

func TestRedisExhaustedRecordsNothing(t *testing.T) {
	client := testRedis(t)
	prefix := testPrefix(t, client)
	r := NewRedis(client, prefix)
	limit := storekeep.Limit{Count: 2, Per: time.Hour}
	for range 10 {
		if exhausted(t, r, "k", limit) {
			t.Fatal("fresh key exhausted")
		}
	}
	if n := client.Exists(ctx, "rate:"+prefix+"k").Val(); n != 0 {
		t.Fatal("Exhausted created the key")
	}
	allow(t, r, "k", limit)
	before := client.Get(ctx, "rate:"+prefix+"k").Val()
	for range 10 {
		if exhausted(t, r, "k", limit) {
			t.Fatal("exhausted with one event left")
		}
	}
	if after := client.Get(ctx, "rate:"+prefix+"k").Val(); after != before {
		t.Fatalf("Exhausted changed the stored value from %s to %s", before, after)
	}
	if !allow(t, r, "k", limit) {
		t.Fatal("Exhausted used up the last event")
	}
	if !exhausted(t, r, "k", limit) {
		t.Fatal("not exhausted after Count events")
	}
}

// TestRedisRateZeroCost pins what Exhausted relies on: with n=0 Allowed is
// always 0, and AllowAtMost's Remaining is 0 exactly when no event is left.
func TestRedisRateZeroCost(t *testing.T) {
	client := testRedis(t)
	lim := redis_rate.NewLimiter(client)
	key := testPrefix(t, client) + "k"
	limit := redis_rate.Limit{Rate: 2, Burst: 2, Period: time.Hour}
	for _, want := range []int{2, 1, 0} {
		atMost, err := lim.AllowAtMost(ctx, key, limit, 0)
		if err != nil {
			t.Fatal(err)
		}
		n, err := lim.AllowN(ctx, key, limit, 0)
		if err != nil {
			t.Fatal(err)
		}
		if atMost.Allowed != 0 || n.Allowed != 0 || atMost.Remaining != want || n.Remaining != want {
			t.Fatalf("with %d left: AllowAtMost(0) = %+v, AllowN(0) = %+v", want, atMost, n)
		}
		lim.Allow(ctx, key, limit)
	}
}

func TestRedisFullBucketIsNotExhausted(t *testing.T) {
	client := testRedis(t)
	r := NewRedis(client, testPrefix(t, client))
	for _, limit := range []storekeep.Limit{
		{Count: 1, Per: 150 * time.Millisecond},
		{Count: 1, Per: time.Second},
		{Count: 3, Per: 700 * time.Millisecond},
	} {
		for i := range 200 {
			if exhausted(t, r, fmt.Sprintf("%v-%d", limit, i), limit) {
				t.Fatalf("fresh key %d exhausted under %+v", i, limit)
			}
		}
	}
}

func TestRedisRefills(t *testing.T) {
	client := testRedis(t)
	r := NewRedis(client, testPrefix(t, client))
	limit := storekeep.Limit{Count: 1, Per: 150 * time.Millisecond}
	if !allow(t, r, "k", limit) {
		t.Fatal("first event refused")
	}
	time.Sleep(limit.Per + 10*time.Millisecond)
	if exhausted(t, r, "k", limit) || !allow(t, r, "k", limit) {
		t.Fatalf("refused %v after the last event", limit.Per)
	}
}

func TestRedisDefaultPrefix(t *testing.T) {
	client := testRedis(t)
	key := "test-" + testPrefix(t, client)
	t.Cleanup(func() { client.Del(ctx, "rate:"+DefaultPrefix+key) })
	allow(t, NewRedis(client, ""), key, storekeep.Limit{Count: 1, Per: time.Hour})
	if client.Exists(ctx, "rate:"+DefaultPrefix+key).Val() != 1 {
		t.Fatalf("no key rate:%s%s", DefaultPrefix, key)
	}
}
