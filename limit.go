package storekeep

import (
	"context"
	"net/netip"
	"time"
)

// Limit is an allowance of Count events per Per, refilled smoothly.
type Limit struct {
	Count int
	Per   time.Duration
}

// Limiter counts events per key. Implementations may be local to a process
// or shared between nodes.
type Limiter interface {
	// Allow records one event under key and reports whether it was within
	// limit. A refused event is not recorded.
	Allow(ctx context.Context, key string, limit Limit) (bool, error)
	// Exhausted reports, without recording anything, whether the next event
	// under key would be refused.
	Exhausted(ctx context.Context, key string, limit Limit) (bool, error)
	// Spent reports, without recording anything, whether key has used up
	// limit. Unlike Exhausted it does not ask whether a new key could be
	// held: a key not held has spent nothing, in a full limiter too.
	Spent(ctx context.Context, key string, limit Limit) (bool, error)
}

// Clock returns the current time; tests inject a fake one.
type Clock func() time.Time

// Caller describes who sent a request, for throttling and the audit trail.
type Caller struct {
	IP string
	// UserAgent is clipped with ClipUserAgent where the request is read,
	// so services store it as it is.
	UserAgent string
	Locale    string
}

// IPv6ThrottlePrefix is the length of the IPv6 network a per-IP limit
// counts as one client: a host is normally given a whole /64 and may use
// any address in it.
const IPv6ThrottlePrefix = 64

// ThrottleIP is what per-IP limits count of a client's address: an IPv4
// address whole, an IPv6 address's /64 (IPv6ThrottlePrefix). A string
// that is not an address ("cli", "import") is returned as it is, and so
// is an IPv4 address, which netip parses only in its one dotted form
// (no leading zeros), so that the common case builds no string.
func ThrottleIP(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if addr.Is4() {
		return ip
	}
	if addr.Is4In6() {
		return addr.Unmap().String()
	}
	return netip.PrefixFrom(addr.WithZone(""), IPv6ThrottlePrefix).Masked().String()
}
