package storekeep_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/ratelimit"
)

// What per-IP limits count of an address: the host (ThrottleIP), an IPv4
// address or an IPv6 /64, and the widest network (ThrottleNetwork), an
// IPv6 /48.
func TestThrottleIPAndNetworkCountAnIPv6HostsSlash64AndSlash48(t *testing.T) {
	for _, c := range []struct{ ip, host, network string }{
		{"198.51.100.7", "198.51.100.7", "198.51.100.7"},
		{"198.051.100.7", "198.051.100.7", "198.051.100.7"},
		{"::ffff:198.51.100.7", "198.51.100.7", "198.51.100.7"},
		{"2001:db8:dead:beef::1", "2001:db8:dead:beef::/64", "2001:db8:dead::/48"},
		{"2001:db8:dead:beef:ffff::abc", "2001:db8:dead:beef::/64", "2001:db8:dead::/48"},
		{"2001:DB8:DEAD:BEEF::2", "2001:db8:dead:beef::/64", "2001:db8:dead::/48"},
		{"2001:db8:dead:bef0::1", "2001:db8:dead:bef0::/64", "2001:db8:dead::/48"},
		{"2001:db8:dead:ff00::1%x", "2001:db8:dead:ff00::/64", "2001:db8:dead::/48"},
		{"2001:db8:deae:beef::1234", "2001:db8:deae:beef::/64", "2001:db8:deae::/48"},
		{"fe80::1%eth0", "fe80::/64", "fe80::/48"},
		{"::1", "::/64", "::/48"},
		{"cli", "cli", "cli"},
		{"", "", ""},
	} {
		if got := storekeep.ThrottleIP(c.ip); got != c.host {
			t.Errorf("ThrottleIP(%q) = %q, want %q", c.ip, got, c.host)
		}
		if got := storekeep.ThrottleNetwork(c.ip); got != c.network {
			t.Errorf("ThrottleNetwork(%q) = %q, want %q", c.ip, got, c.network)
		}
	}
}

// A client's per-IP counters: an IPv4 client's one, an IPv6 client's
// /64's, /56's and /48's, each network's made only once it is asked and
// the /64's allowed.
func TestAllowClientKeepsAnIPv6ClientsNetworksCounters(t *testing.T) {
	ctx := context.Background()
	limit := storekeep.Limit{Count: 2, Per: time.Hour}
	m := ratelimit.NewMemory(nil, 100, nil)
	for _, c := range []struct {
		ip   string
		keys int
	}{{"198.51.100.7", 1}, {"::ffff:198.51.100.8", 1}, {"2001:db8:1:2::3", 3}, {"2001:db8:1:2::4", 0}, {"2001:db8:1:3::1", 1}, {"2001:db8:1:103::1", 2}} {
		ip, keys := c.ip, c.keys
		before := m.Len()
		if ok, err := storekeep.AllowClient(ctx, m, "t", ip, limit); err != nil || !ok {
			t.Fatalf("first event from %s: %v, %v", ip, ok, err)
		}
		if got := m.Len() - before; got != keys {
			t.Errorf("first event from %s made %d counters, want %d", ip, got, keys)
		}
	}
}

// A full limiter holds no counter of a new /64 whose /48 it does not
// hold, and refuses it, as it refuses any new key; a network that has
// spent its share makes none either.
func TestAllowClientMakesNoCounterForANewHostOfASpentOrUnheldNetwork(t *testing.T) {
	ctx := context.Background()
	limit := storekeep.Limit{Count: 1, Per: time.Hour}
	m := ratelimit.NewMemory(nil, 40, nil)
	accepted := 0
	for i := range 100 {
		ok, err := storekeep.AllowClient(ctx, m, "t", fmt.Sprintf("2001:db8:1:%x::1", i<<8), limit)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			accepted++
		}
	}
	if accepted != storekeep.IPv6NetworkShare || m.Refused() != 0 {
		t.Fatalf("100 /56s of one /48: %d accepted, %d refused for room, want %d and none", accepted, m.Refused(), storekeep.IPv6NetworkShare)
	}
	if spent, err := storekeep.ClientSpent(ctx, m, "t", "2001:db8:1:ffff::1", limit); err != nil || !spent {
		t.Fatalf("a new /64 of the spent /48: spent %v, %v", spent, err)
	}
	for i := 0; m.Len() < 40; i++ {
		_, _ = m.Allow(ctx, fmt.Sprintf("filler-%d", i), limit)
	}
	held := m.Len()
	if ok, _ := storekeep.AllowClient(ctx, m, "t", "2001:db8:2::1", limit); ok || m.Len() != held {
		t.Fatalf("a new /48 in a full limiter: allowed %v, %d counters, want refused and %d", ok, m.Len(), held)
	}
	if spent, _ := storekeep.ClientSpent(ctx, m, "t", "2001:db8:2::1", limit); spent {
		t.Fatal("a client with no counter has spent something")
	}
}
