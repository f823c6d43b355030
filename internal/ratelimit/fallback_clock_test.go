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

// switchableRedis returns a client of the test Redis that cannot connect
// while up is false.
func switchableRedis(t *testing.T) (client *redis.Client, prefix string, up *atomic.Bool) {
	t.Helper()
	real := testRedis(t)
	up = new(atomic.Bool)
	client = redis.NewClient(&redis.Options{
		Addr: real.Options().Addr, DB: real.Options().DB,
		Username: real.Options().Username, Password: real.Options().Password,
		MaxRetries: -1, DialerRetries: 1,
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if !up.Load() {
				return nil, errors.New("network down")
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	})
	t.Cleanup(func() { client.Close() })
	return client, testPrefix(t, real), up
}

// The clock a Fallback reads is the wall clock: stepped back (by NTP, or
// by hand) while Redis was down, it put the next retry as far ahead as
// the step, and the node counted alone, with Redis up, for that long.
func TestFallbackAsksRedisAgainAfterTheClockStepsBack(t *testing.T) {
	client, prefix, up := switchableRedis(t)
	clock := newFakeClock()
	f := NewFallback(NewRedis(client, prefix), NewMemory(clock.Now, 0, nil), clock.Now, logTo(new(bytes.Buffer)))
	limit := storekeep.Limit{Count: 1, Per: time.Hour}
	allow(t, f, "k", limit)
	if !f.Degraded() {
		t.Fatal("not degraded with Redis down")
	}
	up.Store(true)
	clock.Advance(-time.Hour)
	clock.Advance(RetryAfter)
	allow(t, f, "k", limit)
	if f.Degraded() {
		t.Fatal("Redis is up and a RetryAfter has passed, but the clock stepped back an hour and Redis was not asked")
	}
}
