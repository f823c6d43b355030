package server

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
)

// BenchmarkRequestRate is what the request allowance adds to an answer,
// for one client sending every request and for 65,536 clients in turn (a
// storefront's many buyers: each counter is made, then kept while it
// refills), IPv4 and IPv6. The allowance is lifted so that none is
// refused.
func BenchmarkRequestRate(b *testing.B) {
	for _, c := range []struct {
		name, format string
		clients      int
	}{
		{"ipv4 returning", "198.51.100.7", 1},
		{"ipv4 65536 clients", "10.%d.%d.%d", 1 << 16},
		{"ipv6 returning", "2001:db8::7", 1},
		{"ipv6 65536 clients", "2001:db8:%x:%x%02x::1", 1 << 16},
	} {
		b.Run(c.name, func(b *testing.B) {
			rate := NewRequestRate(storekeep.Limit{Count: 1 << 30, Per: time.Second}, 0, nil, nil)
			ctx := context.Background()
			ips := make([]string, 1<<16)
			clients := map[string]bool{}
			for i := range ips {
				ips[i] = c.format
				if c.format[len(c.format)-1] != '7' {
					ips[i] = fmt.Sprintf(c.format, i>>16&255, i>>8&255, i&255)
				}
				clients[storekeep.ThrottleIP(ips[i])] = true
			}
			if len(clients) != c.clients {
				b.Fatalf("%d clients, want %d", len(clients), c.clients)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if !rate.allow(ctx, ips[i&(1<<16-1)]) {
					b.Fatal("refused")
				}
			}
		})
	}
}
