package server

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/storekeep/storekeep"
)

// DefaultConnsPerClient is the connections one client (an IPv4 address
// or an IPv6 /64) may hold open at once on the API listener.
const DefaultConnsPerClient = 512

// DefaultMaxConns is the connections the API listener holds open at once,
// from all clients together: an idle one costs the node about 20 KB.
const DefaultMaxConns = 10_000

// connLimitWarnEvery is how often, at most, a ConnLimit logs that it
// refused a connection; its Refused count tells the rest.
const connLimitWarnEvery = time.Hour

// ConnLimit bounds the connections each client holds open at once: perClient
// for an IPv4 address or an IPv6 /64, and storekeep.IPv6SiteShare and
// storekeep.IPv6NetworkShare times perClient for all of an IPv6 /56's and
// /48's hosts (storekeep.ClientShares). A connection past its client's
// bound is closed as it is accepted, before anything is read from it.
// Connections from a trusted proxy are not counted against a client's
// bound: they carry many clients. A connection past maxOpen, all
// clients' and proxies' together, is closed too. It is safe for
// concurrent use; a listener's connections are taken in turn.
type ConnLimit struct {
	trusted  []netip.Prefix
	log      *slog.Logger
	mu       sync.Mutex
	open     clientCounts
	lastWarn time.Time
	refused  atomic.Int64
}

// NewConnLimit returns a ConnLimit of perClient connections a client, not
// counting connections from trusted, and maxOpen in all, that warns on
// log (slog.Default() when nil) at most once an hour when it refuses one.
func NewConnLimit(perClient, maxOpen int, trusted []netip.Prefix, log *slog.Logger) *ConnLimit {
	if log == nil {
		log = slog.Default()
	}
	return &ConnLimit{trusted: trusted, log: log, open: newClientCounts(int64(perClient), int64(maxOpen))}
}

// Listener returns ln with l's bound on the connections it accepts.
func (l *ConnLimit) Listener(ln net.Listener) net.Listener { return &limitedListener{ln, l} }

// Open returns how many accepted connections are open.
func (l *ConnLimit) Open() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open.all
}

// Refused returns how many connections were closed as they were accepted
// because their client, or the node, held its bound.
func (l *ConnLimit) Refused() int64 { return l.refused.Load() }

// take counts a connection from remote, returning what it counted, or
// false when the node or the client holds its bound already.
func (l *ConnLimit) take(remote net.Addr) ([]storekeep.ClientShare, bool) {
	shares := l.sharesOf(remote)
	l.mu.Lock()
	defer l.mu.Unlock()
	if full, ok := l.open.add(shares, 1); !ok {
		l.refuse(full)
		return nil, false
	}
	return shares, true
}

// sharesOf is what a connection from remote counts against besides all
// clients' bound: nothing for a trusted proxy or a remote that is not an
// IP address and port.
func (l *ConnLimit) sharesOf(remote net.Addr) []storekeep.ClientShare {
	ap, err := remoteAddrPort(remote)
	if err != nil {
		return nil
	}
	addr := ap.Addr().Unmap().WithZone("")
	for _, p := range l.trusted {
		if p.Contains(addr) {
			return nil
		}
	}
	return storekeep.ClientShares(addr.String())
}

// remoteAddrPort is a connection's remote address; a listener that
// names none (a nil RemoteAddr) gives an error, as one that is not an
// IP address and port does.
func remoteAddrPort(remote net.Addr) (netip.AddrPort, error) {
	if remote == nil {
		return netip.AddrPort{}, errors.New("no remote address")
	}
	return netip.ParseAddrPort(remote.String())
}

func (l *ConnLimit) refuse(client string) {
	refused := l.refused.Add(1)
	if now := time.Now(); l.lastWarn.IsZero() || now.Sub(l.lastWarn) >= connLimitWarnEvery {
		l.lastWarn = now
		l.log.Warn("http: closing new connections past a bound", "held_by", client, "max_per_client", l.open.perClient, "max_open", l.open.total, "refused_total", refused)
	}
}

func (l *ConnLimit) release(shares []storekeep.ClientShare) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open.remove(shares, 1)
}

type limitedListener struct {
	net.Listener
	limit *ConnLimit
}

// Accept returns the next connection whose client is within its bound,
// closing the others.
func (ln *limitedListener) Accept() (net.Conn, error) {
	for {
		c, err := ln.Listener.Accept()
		if err != nil {
			return nil, err
		}
		shares, ok := ln.limit.take(c.RemoteAddr())
		if !ok {
			_ = c.Close()
			continue
		}
		return &countedConn{Conn: c, release: func() { ln.limit.release(shares) }}, nil
	}
}

// countedConn gives its client's place back when it is first closed.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// CloseWrite half-closes the connection when it can, as net/http does
// before closing a connection whose request it did not read to the end.
func (c *countedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
