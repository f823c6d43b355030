package app_test

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

// Some proxies (Azure's Application Gateway among them) write each
// X-Forwarded-For hop with its port. Read as no address, every client
// behind such a proxy would be counted as the proxy, so that one client
// could spend every other's allowance: a hop with a port is its address.
func TestAForwardedHopWithAPortIsItsAddress(t *testing.T) {
	const perIP = 3
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Recovery.RecoverPerIP = storekeep.Limit{Count: perIP, Per: time.Hour}
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	for _, pair := range [][2]string{
		{"198.51.100.7:4711", "198.51.100.8:4711"},
		{"[2001:db8:1::7]:4711", "[2001:db8:2::7]:4711"},
	} {
		for i := range perIP + 1 {
			r, _ := n.recover(fmt.Sprintf("hop-%d@example.com", i), withHeaders(map[string]string{"X-Forwarded-For": pair[0]}))
			if throttled := isThrottled(r, "customerRecover", recoverThrottle); throttled != (i == perIP) {
				t.Fatalf("request %d from %s throttled: %v, want only request %d: %s", i+1, pair[0], throttled, perIP+1, r.Raw)
			}
		}
		if r, _ := n.recover("other@example.com", withHeaders(map[string]string{"X-Forwarded-For": pair[1]})); isThrottled(r, "customerRecover", recoverThrottle) {
			t.Fatalf("%s was throttled for what %s spent: %s", pair[1], pair[0], r.Raw)
		}
	}
}

// Without --trusted-proxies a client's X-Forwarded-For is never read, and
// with them a hop a client writes left of its own address is not believed:
// naming a new address in each request gives no new allowance.
func TestAClientsOwnForwardedHopsGiveNoNewAllowance(t *testing.T) {
	const perIP = 3
	for name, proxies := range map[string][]netip.Prefix{
		"no trusted proxies": nil,
		"a trusted loopback": {netip.MustParsePrefix("127.0.0.1/32")},
	} {
		t.Run(name, func(t *testing.T) {
			n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
				c.Recovery.RecoverPerIP = storekeep.Limit{Count: perIP, Per: time.Hour}
				c.TrustedProxies = proxies
			})
			for i := range perIP + 1 {
				hops := fmt.Sprintf("198.51.100.%d", i+1)
				if proxies != nil {
					hops += ", 203.0.113.9"
				}
				r, _ := n.recover(fmt.Sprintf("rotate-%d@example.com", i), withHeaders(map[string]string{"X-Forwarded-For": hops}))
				if throttled := isThrottled(r, "customerRecover", recoverThrottle); throttled != (i == perIP) {
					t.Fatalf("request %d (X-Forwarded-For %s) throttled: %v, want only request %d: %s", i+1, hops, throttled, perIP+1, r.Raw)
				}
			}
		})
	}
}
