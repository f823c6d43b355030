package storekeep

import (
	"context"
	"net/netip"
)

// IPv6ThrottlePrefix is the length of the IPv6 network a per-IP limit
// counts as one client: a host is normally given a whole /64 and may use
// any address in it.
const IPv6ThrottlePrefix = 64

// The IPv6 networks wider than a host's /64 whose hosts share some
// clients' allowance under every per-IP limit: a /56, a home's usual
// delegation, shares IPv6SiteShare clients'; a /48, a site's (and what a
// tunnel broker gives anyone), IPv6NetworkShare clients'.
const (
	IPv6SitePrefix    = 56
	IPv6SiteShare     = 4
	IPv6NetworkPrefix = 48
	IPv6NetworkShare  = 16
)

// ThrottleIP is what per-IP limits count of a client's address: an IPv4
// address whole, an IPv6 address's /64 (IPv6ThrottlePrefix), and an IPv6
// address that carries an IPv4 client's (IPv4-mapped, NAT64, 6to4,
// Teredo: EmbeddedIPv4) as that IPv4 address. A string that is not an
// address ("cli", "import") is returned as it is, and so is an IPv4
// address, which netip parses only in its one dotted form (no leading
// zeros), so that the common case builds no string.
func ThrottleIP(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil || addr.Is4() {
		return ip
	}
	addr = addr.WithZone("")
	if v4, ok := EmbeddedIPv4(addr); ok {
		return v4.String()
	}
	return netip.PrefixFrom(addr, IPv6ThrottlePrefix).Masked().String()
}

var (
	nat64WellKnown = netip.MustParsePrefix("64:ff9b::/96")
	nat64LocalUse  = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour      = netip.MustParsePrefix("2002::/16")
	teredo         = netip.MustParsePrefix("2001::/32")
)

// EmbeddedIPv4 returns the IPv4 client an IPv6 address without a zone
// stands for: an IPv4-mapped address's; a NAT64 translator's, from
// 64:ff9b::/96 or the local-use 64:ff9b:1::/48, its last 32 bits (the
// /96 form, the one a NAT46 gateway in front of an IPv6-only node uses);
// a 6to4 host's, bits 16-47; a Teredo client's, its last 32 bits
// inverted. Replies to any of them reach that IPv4 address, so it is who
// sent them.
func EmbeddedIPv4(addr netip.Addr) (netip.Addr, bool) {
	b := addr.As16()
	switch {
	case addr.Is4In6():
		return addr.Unmap(), true
	case nat64WellKnown.Contains(addr), nat64LocalUse.Contains(addr):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFour.Contains(addr):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	case teredo.Contains(addr):
		return netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]}), true
	}
	return netip.Addr{}, false
}

// ThrottleNetwork is the widest network per-IP limits count ip in: an
// IPv6 address's /48 (IPv6NetworkPrefix), else what ThrottleIP counts.
func ThrottleNetwork(ip string) string {
	addr, ok := ipv6Host(ip)
	if !ok {
		return ThrottleIP(ip)
	}
	return netip.PrefixFrom(addr, IPv6NetworkPrefix).Masked().String()
}

// AllowClient records one event for the client at ip under the per-IP
// limit named name and reports whether it was within limit. The client's
// own counter is name, ':' and ThrottleIP(ip). An IPv6 client's /56 and
// /48 have counters too, holding IPv6SiteShare and IPv6NetworkShare times
// limit for all their hosts. Those are asked first, recording nothing,
// so a network that has spent its share makes no counter for another of
// its /64s; and only an event the client's own counter allows is counted
// against them, so a host that has spent its own allowance spends no
// more of its neighbours'. A network counter a full limiter does not hold
// (Limiter.Spent) has spent nothing and refuses nothing: a full limiter
// goes on counting a /64 it holds, as it does an IPv4 client, and makes
// no counter for one it does not.
func AllowClient(ctx context.Context, l Limiter, name, ip string, limit Limit) (bool, error) {
	networks, own := clientCounters(name, ip, limit)
	for _, c := range networks {
		if spent, err := l.Spent(ctx, c.key, c.limit); err != nil || spent {
			return false, err
		}
	}
	if ok, err := l.Allow(ctx, own.key, own.limit); err != nil || !ok {
		return false, err
	}
	for _, c := range networks {
		if ok, err := countNetwork(ctx, l, c); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// countNetwork records an event against a network's counter and reports
// whether it was within the network's share; a counter that a full
// limiter cannot make has spent nothing, and the event is within it.
func countNetwork(ctx context.Context, l Limiter, c clientCounter) (bool, error) {
	if ok, err := l.Allow(ctx, c.key, c.limit); err != nil || ok {
		return ok, err
	}
	spent, err := l.Spent(ctx, c.key, c.limit)
	return err == nil && !spent, err
}

// ClientSpent reports, recording nothing, whether the client at ip has
// used up limit under name, or an IPv6 network it is in its share
// (AllowClient). As Limiter.Spent, a counter not held has spent nothing.
func ClientSpent(ctx context.Context, l Limiter, name, ip string, limit Limit) (bool, error) {
	networks, own := clientCounters(name, ip, limit)
	for _, c := range append(networks, own) {
		if spent, err := l.Spent(ctx, c.key, c.limit); err != nil || spent {
			return spent, err
		}
	}
	return false, nil
}

type clientCounter struct {
	key   string
	limit Limit
}

// clientCounters returns the counters a per-IP limit keeps for the client
// at ip: its IPv6 networks', widest first, and its own.
func clientCounters(name, ip string, limit Limit) (networks []clientCounter, own clientCounter) {
	if _, ok := ipv6Host(ip); !ok {
		return nil, clientCounter{name + ":" + ThrottleIP(ip), limit}
	}
	shares := ClientShares(ip)
	for _, s := range shares[1:] {
		networks = append(networks, clientCounter{name + ":" + s.Client, Limit{Count: limit.Count * s.Times, Per: limit.Per}})
	}
	return networks, clientCounter{name + ":" + shares[0].Client, limit}
}

// ClientShare is one count a per-IP bound keeps for a client: Client is
// what it counts (ThrottleIP's, or an IPv6 network as a prefix) and
// Times how many clients' bound it holds.
type ClientShare struct {
	Client string
	Times  int
}

// ClientShares returns what per-IP bounds count for the client at ip:
// its own count (ThrottleIP, Times 1) first, then, for an IPv6 client,
// its /48's and its /56's (IPv6NetworkShare and IPv6SiteShare times).
func ClientShares(ip string) []ClientShare {
	own := ClientShare{ThrottleIP(ip), 1}
	addr, ok := ipv6Host(ip)
	if !ok {
		return []ClientShare{own}
	}
	return []ClientShare{own,
		{netip.PrefixFrom(addr, IPv6NetworkPrefix).Masked().String(), IPv6NetworkShare},
		{netip.PrefixFrom(addr, IPv6SitePrefix).Masked().String(), IPv6SiteShare}}
}

// ipv6Host returns ip as an IPv6 address without its zone, when it is one
// and carries no IPv4 client's address (EmbeddedIPv4).
func ipv6Host(ip string) (netip.Addr, bool) {
	addr, err := netip.ParseAddr(ip)
	if err != nil || !addr.Is6() {
		return netip.Addr{}, false
	}
	addr = addr.WithZone("")
	if _, ok := EmbeddedIPv4(addr); ok {
		return netip.Addr{}, false
	}
	return addr, true
}

// Counter is a limiter key and the limit it counts under.
type Counter struct {
	Key   string
	Limit Limit
}

// AllowClientThen counts one event against the client's per-IP limit
// name (AllowClient) and then against each of then in turn, stopping at
// the first that refuses it, so that a client that has spent its own
// allowance makes none of the counters its request names.
func AllowClientThen(ctx context.Context, l Limiter, name, ip string, limit Limit, then ...Counter) (bool, error) {
	ok, err := AllowClient(ctx, l, name, ip, limit)
	for _, c := range then {
		if err != nil || !ok {
			break
		}
		ok, err = l.Allow(ctx, c.Key, c.Limit)
	}
	return ok, err
}
