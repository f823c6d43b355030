package ratelimit

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/storekeep/storekeep"
)

func logTo(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, nil))
}

func TestFallbackCountsLocallyWhileRedisIsDown(t *testing.T) {
	var logs bytes.Buffer
	f := NewFallback(NewRedis(unreachableClient(t), ""), NewMemory(newFakeClock().Now, 0, nil), nil, logTo(&logs))
	limit := storekeep.Limit{Count: 2, Per: time.Hour}
	if f.Degraded() {
		t.Fatal("degraded before any use")
	}
	for i := range limit.Count {
		if !allow(t, f, "k", limit) {
			t.Fatalf("local limiter refused call %d of %d", i+1, limit.Count)
		}
	}
	if !f.Degraded() {
		t.Fatal("not degraded with Redis down")
	}
	if allow(t, f, "k", limit) || !exhausted(t, f, "k", limit) {
		t.Fatal("local limiter allowed past the limit")
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 || strings.Count(logs.String(), "\n") != 1 {
		t.Fatalf("want one warning for four failed calls, got:\n%s", logs.String())
	}
}

func TestFallbackPassesOnTheCallersCancellation(t *testing.T) {
	f := NewFallback(NewRedis(unreachableClient(t), ""), NewMemory(nil, 0, nil), nil, logTo(new(bytes.Buffer)))
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.Allow(cancelled, "k", storekeep.Limit{Count: 1, Per: time.Hour}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Allow with a cancelled ctx: %v, want context.Canceled", err)
	}
	if f.Degraded() {
		t.Fatal("the caller's cancellation marked Redis down")
	}
}

func TestFallbackRecovers(t *testing.T) {
	real := testRedis(t)
	var up atomic.Bool
	client := redis.NewClient(&redis.Options{
		Addr:          real.Options().Addr,
		DB:            real.Options().DB,
		Username:      real.Options().Username,
		Password:      real.Options().Password,
		MaxRetries:    -1,
		DialerRetries: 1,
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if !up.Load() {
				return nil, errors.New("network down")
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	})
	t.Cleanup(func() { client.Close() })

	var logs bytes.Buffer
	clock := newFakeClock()
	f := NewFallback(NewRedis(client, testPrefix(t, real)), NewMemory(clock.Now, 0, nil), clock.Now, logTo(&logs))
	limit := storekeep.Limit{Count: 1, Per: time.Hour}

	if !allow(t, f, "k", limit) || allow(t, f, "k", limit) {
		t.Fatal("local limiter miscounted while Redis was down")
	}
	if !f.Degraded() {
		t.Fatal("not degraded with Redis down")
	}

	up.Store(true)
	if allow(t, f, "k", limit) || !f.Degraded() {
		t.Fatal("Redis was asked again within RetryAfter of its failure")
	}
	clock.Advance(RetryAfter)
	if !allow(t, f, "k", limit) {
		t.Fatal("refused after Redis came back: the answer came from the exhausted local limiter")
	}
	if f.Degraded() {
		t.Fatal("still degraded after Redis answered")
	}
	if allow(t, f, "k", limit) || !exhausted(t, f, "k", limit) {
		t.Fatal("Redis allowed past the limit")
	}
	out := logs.String()
	if strings.Count(out, "level=WARN") != 1 || strings.Count(out, "level=INFO") != 1 || strings.Count(out, "\n") != 2 {
		t.Fatalf("want one warning and one recovery line, got:\n%s", out)
	}
}

// An error Redis answers for one key (a key of another type) is taken
// call by call, but it made the Fallback flip between degraded and not
// at each alternation with another key's answer, logging a warning and
// an "is back" line each time, where the change is to be logged once.
// The Fallback now leaves the degraded state only once Redis has
// answered with no error for RetryAfter.
func TestFallbackDoesNotFlapOnOneKeysErrors(t *testing.T) {
	real := testRedis(t)
	prefix := testPrefix(t, real)
	if err := real.LPush(ctx, "rate:"+prefix+"bad", "a list").Err(); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	clock := newFakeClock()
	f := NewFallback(NewRedis(real, prefix), NewMemory(clock.Now, 0, nil), clock.Now, logTo(&logs))
	limit := storekeep.Limit{Count: 1000, Per: time.Hour}
	for i := range 50 {
		allow(t, f, "bad", limit)
		allow(t, f, "good", limit)
		if !f.Degraded() {
			t.Fatalf("round %d: not degraded within RetryAfter of an error", i)
		}
		clock.Advance(RetryAfter / 100)
	}
	if out := logs.String(); strings.Count(out, "level=WARN") != 1 || strings.Count(out, "\n") != 1 {
		t.Fatalf("want one warning for 50 errors between answers, got:\n%s", out)
	}
	clock.Advance(RetryAfter)
	allow(t, f, "good", limit)
	if f.Degraded() {
		t.Fatalf("still degraded after Redis answered without error for %v", RetryAfter)
	}
	if out := logs.String(); strings.Count(out, "level=INFO") != 1 || strings.Count(out, "\n") != 2 {
		t.Fatalf("want one warning and one recovery line, got:\n%s", out)
	}
	ok, err := f.primary.Allow(ctx, "bad", limit)
	if err == nil || unreachable(err) {
		t.Fatalf("the list key: %v %v, want an error Redis answered", ok, err)
	}
}
