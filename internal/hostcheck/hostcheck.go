// Package hostcheck refuses requests whose Host header names a host a
// listener does not answer to, so that a web page whose name an attacker
// rebinds to this machine (DNS rebinding) cannot read, from a browser on
// it, what the listener serves; Peer names the connection's address, which
// unlike Host the client does not choose.
package hostcheck

import (
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// Allowed is what a listener answers to: localhost (and names under
// .localhost), loopback addresses, Names, and, with AnyAddress, any IP
// address literal, which no rebinding can produce.
type Allowed struct {
	Names      []string
	AnyAddress bool
}

// Permits reports whether a Host header (host or host:port) is allowed.
func (a Allowed) Permits(hostHeader string) bool {
	host := hostOnly(hostHeader)
	lower := strings.ToLower(host)
	if lower == "localhost" || strings.HasSuffix(lower, ".localhost") {
		return true
	}
	if ip, err := netip.ParseAddr(host); err == nil && (a.AnyAddress || ip.Unmap().IsLoopback()) {
		return true
	}
	return slices.ContainsFunc(a.Names, func(n string) bool { return strings.EqualFold(hostOnly(n), host) })
}

// Handler answers 403 with message to a request whose Host a does not
// permit, and passes the others to next.
func (a Allowed) Handler(message string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.Permits(r.Host) {
			http.Error(w, message, http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hostOnly is the host of a Host header or host:port, without brackets
// or a final dot.
func hostOnly(hostport string) string {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	return strings.TrimSuffix(strings.Trim(host, "[]"), ".")
}

// Peer is the address of r's connection (IPv4-mapped addresses unmapped),
// or 0.0.0.0 when r.RemoteAddr is not an address.
func Peer(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.IPv4Unspecified()
	}
	return ip.Unmap()
}
