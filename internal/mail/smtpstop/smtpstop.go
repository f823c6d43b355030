// Package smtpstop stops a go-smtp server as a relay going down does: its
// listener closes, the sockets of its connections are cut, and it waits for
// their sessions to end. smtp.Server.Close closes go-smtp's connections
// from another goroutine instead, which races with a BDAT chunk the
// connection is reading (go-smtp v0.25 and v0.26 read Conn.bdatPipe without
// the lock Conn.Close takes to clear it); a cut socket makes each session's
// own goroutine end it.
package smtpstop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Conns is the connections one run of a server accepted, as the listener
// returned them. It is safe for concurrent use.
type Conns struct {
	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	down    chan struct{}
	stopped bool
}

// New returns an empty Conns for one run of a server.
func New() *Conns {
	return &Conns{conns: map[net.Conn]struct{}{}, down: make(chan struct{})}
}

// Listener returns l recording the connections it accepts in o. Wrap the
// listener the server is given first, under any wrapper of its own.
func (o *Conns) Listener(l net.Listener) net.Listener { return listener{Listener: l, open: o} }

// Down is closed when Stop begins, so that a session waiting on something
// else can give up.
func (o *Conns) Down() <-chan struct{} { return o.down }

// ErrSessionsLeft is Stop's error when sessions were still open after the
// wait and were closed by smtp.Server.Close.
var ErrSessionsLeft = errors.New("smtpstop: sessions still open after their connections were cut")

// Stop closes ln, the listener srv serves, cuts every connection o holds
// and waits up to wait for srv's sessions to end. Sessions still open then
// are closed by srv.Close, and Stop returns ErrSessionsLeft. Stop after
// the first does nothing.
func (o *Conns) Stop(srv *smtp.Server, ln net.Listener, wait time.Duration) error {
	o.mu.Lock()
	if o.stopped {
		o.mu.Unlock()
		return nil
	}
	o.stopped = true
	close(o.down)
	ln.Close()
	open := make([]net.Conn, 0, len(o.conns))
	for c := range o.conns {
		open = append(open, c)
	}
	o.mu.Unlock()
	for _, c := range open {
		c.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := srv.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
		srv.Close()
		return fmt.Errorf("%w (%s)", ErrSessionsLeft, wait)
	}
	return nil
}

type listener struct {
	net.Listener
	open *Conns
}

// Accept records the connection it returns. One that the listener
// returned as Stop began, too late to be cut with the others, is closed
// instead, and Accept reports the listener closed.
func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tracked := &conn{Conn: c, open: l.open}
	l.open.mu.Lock()
	stopped := l.open.stopped
	if !stopped {
		l.open.conns[tracked] = struct{}{}
	}
	l.open.mu.Unlock()
	if stopped {
		c.Close()
		return nil, net.ErrClosed
	}
	return tracked, nil
}

// conn leaves its Conns when closed.
type conn struct {
	net.Conn
	open *Conns
}

func (c *conn) Close() error {
	c.open.mu.Lock()
	delete(c.open.conns, c)
	c.open.mu.Unlock()
	return c.Conn.Close()
}
