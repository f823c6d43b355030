package storekeep_test

import (
	"context"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/ratelimit"
)

// BenchmarkAllowClient is one per-IP throttle event against the
// in-memory limiter: an IPv4 client's one counter, an IPv6 client's three.
func BenchmarkAllowClient(b *testing.B) {
	limit := storekeep.Limit{Count: 1 << 30, Per: time.Hour}
	for _, ip := range []string{"198.51.100.7", "2001:db8:1:2::3"} {
		b.Run(ip, func(b *testing.B) {
			m := ratelimit.NewMemory(nil, 0, nil)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if ok, err := storekeep.AllowClient(ctx, m, "recover:ip:1", ip, limit); err != nil || !ok {
					b.Fatal(ok, err)
				}
			}
		})
	}
}
