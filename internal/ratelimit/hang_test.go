package ratelimit

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/silentserver"
)

// hungRedis returns a client, set as the node sets its own (250ms read
// timeout, no retries), for a Redis that accepts connections and never
// answers: one stopped, or behind a link that drops packets.
func hungRedis(t *testing.T) *redis.Client {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: silentserver.Start(t).Addr, DialTimeout: 250 * time.Millisecond,
		ReadTimeout: 250 * time.Millisecond, WriteTimeout: 250 * time.Millisecond, DialerRetries: 1, MaxRetries: -1,
		PoolTimeout: 500 * time.Millisecond, Protocol: 2})
	t.Cleanup(func() { client.Close() })
	return client
}

// A caller that leaves while a hung Redis keeps it waiting gets its own
// cancellation back, as it does when Redis is down, and not Redis's
// timeout: the API logs a field's failure at ERROR unless it is the
// client's cancellation, so a client that hangs up while Redis is slow
// would otherwise write an ERROR line at will.
func TestFallbackPassesOnTheCallersCancellationWhileRedisHangs(t *testing.T) {
	f := NewFallback(NewRedis(hungRedis(t), ""), NewMemory(nil, 0, nil), nil, logTo(new(bytes.Buffer)))
	limit := storekeep.Limit{Count: 5, Per: time.Hour}
	for _, call := range []string{"Allow", "Exhausted"} {
		c, cancel := context.WithCancel(ctx)
		time.AfterFunc(20*time.Millisecond, cancel)
		var err error
		if call == "Allow" {
			_, err = f.Allow(c, "k", limit)
		} else {
			_, err = f.Exhausted(c, "k", limit)
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("%s with the caller gone while Redis hangs: %v, want context.Canceled (or the local answer)", call, err)
		}
	}
}

// While Redis hangs, every throttle call waited out the read timeout
// (250 ms) before it counted locally, and an IPv6 client's request makes
// up to five calls a throttle. Once Redis has failed, a Fallback counts
// locally for RetryAfter before it asks again, and then one caller asks
// while the others go on counting locally.
func TestFallbackAsksAHungRedisOnceARetryPeriod(t *testing.T) {
	silent := silentserver.Start(t)
	client := redis.NewClient(&redis.Options{Addr: silent.Addr, DialTimeout: 250 * time.Millisecond,
		ReadTimeout: 250 * time.Millisecond, WriteTimeout: 250 * time.Millisecond, DialerRetries: 1, MaxRetries: -1,
		PoolTimeout: 500 * time.Millisecond, Protocol: 2})
	t.Cleanup(func() { client.Close() })
	clock := newFakeClock()
	f := NewFallback(NewRedis(client, ""), NewMemory(clock.Now, 0, nil), clock.Now, logTo(new(bytes.Buffer)))
	limit := storekeep.Limit{Count: 3, Per: time.Hour}
	asked := func() (n int) {
		for {
			select {
			case <-silent.Accepted:
				n++
			case <-time.After(50 * time.Millisecond):
				return n
			}
		}
	}
	for i := range 10 {
		if got := allow(t, f, "k", limit); got != (i < limit.Count) {
			t.Fatalf("call %d while Redis hangs: allowed %v", i+1, got)
		}
	}
	if n := asked(); n != 1 {
		t.Fatalf("10 calls while Redis hangs asked it on %d connections, want 1", n)
	}
	if !f.Degraded() {
		t.Fatal("not degraded while Redis hangs")
	}
	clock.Advance(RetryAfter)
	for range 5 {
		_ = exhausted(t, f, "k", limit)
	}
	if n := asked(); n != 1 {
		t.Fatalf("5 calls a retry period later asked Redis on %d connections, want 1", n)
	}
}
