package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// errNotLoopback is wrapped by every refusal of a non-local address.
var errNotLoopback = errors.New("not a loopback address (127.0.0.0/8, ::1 or localhost): load is only ever aimed at this machine")

// isLoopbackHost reports whether host is localhost or a loopback IP.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// checkURL parses a base URL of the server given as flag and refuses any
// scheme other than http or https and any host that is not loopback.
func checkURL(flag, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%s %q: scheme must be http or https", flag, raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%s %q: give only scheme, host, port and path", flag, raw)
	}
	if !isLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("%s %q: %w", flag, raw, errNotLoopback)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// checkListenAddr refuses a host:port for the SMTP sink that is not loopback.
func checkListenAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--smtp-listen %q: %w", addr, err)
	}
	if !isLoopbackHost(host) {
		return fmt.Errorf("--smtp-listen %q: %w", addr, errNotLoopback)
	}
	return nil
}

// dialLoopback dials like net.Dialer but drops any connection whose peer is
// not a loopback address, whatever a name resolved to.
func dialLoopback(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	peer, err := netip.ParseAddrPort(conn.RemoteAddr().String())
	if err != nil || !peer.Addr().Unmap().IsLoopback() {
		conn.Close()
		return nil, fmt.Errorf("dial %s: peer %s: %w", addr, conn.RemoteAddr(), errNotLoopback)
	}
	return conn, nil
}
