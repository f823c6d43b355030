package server

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/hostcheck"
)

// BuyerIPHeader names the buyer's IP; it is honoured only with a private
// token.
const BuyerIPHeader = "Shopify-Storefront-Buyer-IP"

// ClientIP decides the address a request is throttled and audited under.
type ClientIP struct {
	// TrustedProxies are the peers whose ForwardedHeader is believed.
	TrustedProxies []netip.Prefix
	// ForwardedHeader is read right to left, skipping trusted proxies;
	// X-Forwarded-For when empty.
	ForwardedHeader string
}

// Of returns the client IP of r authenticated with token. A Buyer-IP
// header is believed when it names one address on one line. An address
// read from a header loses its IPv6 zone: netip accepts any text after the
// '%', and a zone names nothing on another host.
func (c ClientIP) Of(r *http.Request, token storekeep.APIToken) string {
	if buyer, ok := buyerIP(r, token); ok {
		return buyer.String()
	}
	peer := hostcheck.Peer(r)
	if !c.trusted(peer) {
		return peer.String()
	}
	header := c.ForwardedHeader
	if header == "" {
		header = "X-Forwarded-For"
	}
	hops := strings.Split(strings.Join(r.Header.Values(header), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		ip, ok := hopAddr(strings.TrimSpace(hops[i]))
		if !ok {
			break
		}
		ip = ip.Unmap().WithZone("")
		if !c.trusted(ip) {
			return ip.String()
		}
		peer = ip
	}
	return peer.String()
}

// hopAddr reads a forwarded hop: an address, or an address and port
// (1.2.3.4:5678, [2001:db8::1]:5678) as some proxies write it, so that
// the clients behind such a proxy are not all counted as the proxy.
func hopAddr(hop string) (netip.Addr, bool) {
	if ip, err := netip.ParseAddr(hop); err == nil {
		return ip, true
	}
	ap, err := netip.ParseAddrPort(hop)
	return ap.Addr(), err == nil
}

func (c ClientIP) trusted(ip netip.Addr) bool {
	for _, p := range c.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// ParsePrefixes parses a comma-separated list of CIDRs or single addresses.
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			ip, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// buyerIP returns the buyer a request authenticated with token names, when
// the token is private and its Buyer-IP header names one address on one
// line.
func buyerIP(r *http.Request, token storekeep.APIToken) (netip.Addr, bool) {
	if token.Kind != storekeep.APITokenPrivate {
		return netip.Addr{}, false
	}
	buyer, one := oneValue(r.Header, BuyerIPHeader)
	ip, err := netip.ParseAddr(buyer)
	return ip.Unmap().WithZone(""), one && err == nil
}
