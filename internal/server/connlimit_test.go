package server

import (
	"fmt"
	"net"
	"net/netip"
	"testing"
)

// What ConnLimit lets one client and one IPv6 network hold: perClient
// connections a /64 or an IPv4 address, 4 times that a /56, 16 times a
// /48; a released place is taken again; a trusted proxy is not counted.
func TestConnLimitSharesMatchTheThrottles(t *testing.T) {
	const perClient = 3
	l := NewConnLimit(perClient, 1<<20, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, nil)
	taken := func(ip string, n int) (ok int) {
		for range n {
			if _, got := l.take(&net.TCPAddr{IP: net.ParseIP(ip), Port: 4711}); got {
				ok++
			}
		}
		return ok
	}
	if got := taken("198.51.100.7", 10); got != perClient {
		t.Errorf("one IPv4 address: %d taken, want %d", got, perClient)
	}
	if got := taken("::ffff:198.51.100.7", 1); got != 0 {
		t.Errorf("the same address mapped into IPv6: %d taken, want 0", got)
	}
	if got := taken("10.1.2.3", 10); got != 10 {
		t.Errorf("a trusted proxy: %d taken, want all 10", got)
	}
	site := 0
	for h := range 8 {
		site += taken(fmt.Sprintf("2001:db8:1:%x::1", h), perClient)
	}
	if site != 4*perClient {
		t.Errorf("8 /64s of one /56: %d taken, want %d", site, 4*perClient)
	}
	network := 0
	for s := 1; s < 8; s++ {
		for h := range 4 {
			network += taken(fmt.Sprintf("2001:db8:1:%x::1", s<<8|h), perClient)
		}
	}
	if network != 12*perClient {
		t.Errorf("7 more /56s of the /48: %d taken, want %d", network, 12*perClient)
	}
	shares, ok := l.take(&net.TCPAddr{IP: net.ParseIP("2001:db8:2::1"), Port: 1})
	if !ok {
		t.Fatal("another /48 was refused")
	}
	l.release(shares)
	if want := int64(7 + 1 + (8*perClient - 4*perClient) + (7*4*perClient - 12*perClient)); l.Refused() != want {
		t.Errorf("Refused() = %d, want %d", l.Refused(), want)
	}
	if want := int64(perClient + 10 + 4*perClient + 12*perClient); l.Open() != want {
		t.Errorf("Open() = %d, want %d", l.Open(), want)
	}
}

// Behind a NAT46 gateway every IPv4 client reaches the node from
// 64:ff9b::/96; each is bound as its IPv4 address, as the throttles count
// it, and a 6to4 host shares its IPv4 address's bound.
func TestConnLimitBoundsAnEmbeddedIPv4ClientAsThatClient(t *testing.T) {
	const perClient = 2
	l := NewConnLimit(perClient, 1<<20, nil, nil)
	taken := func(ip string, n int) (ok int) {
		for range n {
			if _, got := l.take(&net.TCPAddr{IP: net.ParseIP(ip), Port: 4711}); got {
				ok++
			}
		}
		return ok
	}
	for _, ip := range []string{"64:ff9b::c633:6407", "64:ff9b::c633:6408", "64:ff9b::c633:6409"} {
		if got := taken(ip, 5); got != perClient {
			t.Errorf("%s through NAT64: %d taken, want %d", ip, got, perClient)
		}
	}
	if got := taken("198.51.100.7", 1) + taken("2002:c633:6407:1::1", 1); got != 0 {
		t.Errorf("198.51.100.7 over IPv4 and 6to4, after holding its bound over NAT64: %d taken, want 0", got)
	}
}

// A connection whose listener names no remote address, or one that is not
// an IP address and port, is counted in all and bound by nothing else.
func TestConnLimitTakesAConnectionWithoutAnAddress(t *testing.T) {
	l := NewConnLimit(1, 2, nil, nil)
	for _, remote := range []net.Addr{nil, &net.UnixAddr{Name: "@sock", Net: "unix"}} {
		shares, ok := l.take(remote)
		if !ok || shares != nil {
			t.Fatalf("take(%v) = %v, %v; want counted in all only", remote, shares, ok)
		}
	}
	if _, ok := l.take(nil); ok || l.Open() != 2 {
		t.Fatalf("a third connection past 2 in all: taken %v, %d open", ok, l.Open())
	}
}
