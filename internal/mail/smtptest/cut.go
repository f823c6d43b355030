package smtptest

import (
	"net"
	"sync"
)

// openConns is the connections one run of a Server accepted, as the
// listener returned them, so that Stop can cut them under go-smtp. Closing
// go-smtp's own connections from another goroutine (smtp.Server.Close)
// races with a BDAT chunk the connection is reading (go-smtp v0.25 reads
// Conn.bdatPipe without the lock Conn.Close takes to clear it); a cut socket
// makes each connection's goroutine end by itself instead.
type openConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	// down is closed when the run stops, releasing data held by HoldData.
	down chan struct{}
}

func newOpenConns() *openConns {
	return &openConns{conns: map[net.Conn]struct{}{}, down: make(chan struct{})}
}

// cutAll closes every connection still open.
func (o *openConns) cutAll() {
	o.mu.Lock()
	open := make([]net.Conn, 0, len(o.conns))
	for c := range o.conns {
		open = append(open, c)
	}
	o.mu.Unlock()
	for _, c := range open {
		c.Close()
	}
}

// cutListener records the connections it accepts in open.
type cutListener struct {
	net.Listener
	open *openConns
}

func (l cutListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tracked := &trackedConn{Conn: c, open: l.open}
	l.open.mu.Lock()
	l.open.conns[tracked] = struct{}{}
	l.open.mu.Unlock()
	return tracked, nil
}

// trackedConn leaves its openConns when closed.
type trackedConn struct {
	net.Conn
	open *openConns
}

func (c *trackedConn) Close() error {
	c.open.mu.Lock()
	delete(c.open.conns, c)
	c.open.mu.Unlock()
	return c.Conn.Close()
}
