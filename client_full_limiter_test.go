package storekeep_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/ratelimit"
)

type steppedClock struct{ ns atomic.Int64 }

func (c *steppedClock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

// A full limiter refuses new keys, not the clients it is counting: an
// IPv4 client with allowance left goes on being served. An IPv6 client's
// /56 and /48 counters refill 4 and 16 times as fast as its /64's and are
// dropped first; a full limiter then refused the client, though it still
// held its /64's counter with allowance left.
func TestAFullLimiterGoesOnCountingAnIPv6ClientItHolds(t *testing.T) {
	ctx := context.Background()
	clock := new(steppedClock)
	clock.ns.Store(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	const keys = 10
	m := ratelimit.NewMemory(clock.Now, keys, nil)
	limit := storekeep.Limit{Count: 20, Per: 10 * time.Minute}
	clients := []string{"198.51.100.7", "2001:db8:1:2::3"}
	for _, ip := range clients {
		for range limit.Count / 2 {
			if ok, err := storekeep.AllowClient(ctx, m, "t", ip, limit); err != nil || !ok {
				t.Fatalf("%s within its allowance: %v, %v", ip, ok, err)
			}
		}
	}
	clock.ns.Add(int64(2 * time.Minute))
	for i := 0; m.Len() < keys; i++ {
		_, _ = m.Allow(ctx, fmt.Sprintf("filler-%d", i), limit)
	}
	for _, ip := range clients {
		if ok, err := storekeep.AllowClient(ctx, m, "t", ip, limit); err != nil || !ok {
			t.Errorf("%s, held with half its allowance left, in a full limiter: %v, %v", ip, ok, err)
		}
	}
}
