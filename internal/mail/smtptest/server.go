// Package smtptest runs a real SMTP server in the test process, on
// 127.0.0.1, and keeps what it receives for assertions.
package smtptest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/storekeep/storekeep/internal/mail/smtpstop"
)

// Server is an SMTP server for one test. It stops when the test ends.
type Server struct {
	addr        string
	tls         *tls.Config
	implicitTLS bool
	user, pass  string
	rejected    map[string]bool
	deferred    map[string]bool
	idle        time.Duration
	release     <-chan struct{}
	hidden      []string
	latency     time.Duration

	mu      sync.Mutex
	srv     *smtp.Server
	ln      net.Listener
	open    *smtpstop.Conns
	msgs    []Received
	conns   map[*smtp.Conn]bool
	closed  int
	held    int
	arrived chan struct{}
}

// Option configures a Server.
type Option func(*Server)

// WithAuth makes the server require AUTH PLAIN as user with pass before it
// accepts MAIL.
func WithAuth(user, pass string) Option {
	return func(s *Server) { s.user, s.pass = user, pass }
}

// RejectRecipient makes RCPT TO any of addrs fail with 550, permanently.
func RejectRecipient(addrs ...string) Option {
	return func(s *Server) {
		for _, a := range addrs {
			s.rejected[strings.ToLower(a)] = true
		}
	}
}

// DeferRecipient makes RCPT TO any of addrs fail with 451, temporarily.
func DeferRecipient(addrs ...string) Option {
	return func(s *Server) {
		for _, a := range addrs {
			s.deferred[strings.ToLower(a)] = true
		}
	}
}

// WithSTARTTLS makes the server offer STARTTLS with a self-signed
// certificate for 127.0.0.1.
func WithSTARTTLS() Option {
	return func(s *Server) { s.tls = selfSigned() }
}

// WithImplicitTLS makes the server speak TLS from the first byte, as smtps
// does, with a self-signed certificate for 127.0.0.1.
func WithImplicitTLS() Option {
	return func(s *Server) {
		s.tls = selfSigned()
		s.implicitTLS = true
	}
}

// WithIdleTimeout makes the server close a connection on which no command
// came for d, replying 421 first, as servers do to idle clients (30s by
// default).
func WithIdleTimeout(d time.Duration) Option {
	return func(s *Server) { s.idle = d }
}

// HoldData makes the server accept each message's data only once release
// is closed, as a slow or stalled relay would: the sender waits for the
// reply to its DATA until then.
func HoldData(release <-chan struct{}) Option {
	return func(s *Server) { s.release = release }
}

// Without8BITMIME makes the server leave 8BITMIME out of its EHLO reply,
// as a relay that takes only 7-bit mail does. It holds on connections
// without TLS.
func Without8BITMIME() Option {
	return WithoutExtensions("8BITMIME")
}

// WithoutExtensions makes the server leave the named extensions out of
// its EHLO reply, as an older relay would. It holds on connections
// without TLS.
func WithoutExtensions(names ...string) Option {
	return func(s *Server) { s.hidden = append(s.hidden, names...) }
}

// WithLatency makes what the server writes reach the client d after it
// was written, as over a link with a round trip of d: each reply is late
// by d, and replies written one after another stay as close together as
// they were.
func WithLatency(d time.Duration) Option {
	return func(s *Server) { s.latency = d }
}

// Start runs a server on 127.0.0.1 and a free port until t ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		rejected: map[string]bool{},
		deferred: map[string]bool{},
		conns:    map[*smtp.Conn]bool{},
		arrived:  make(chan struct{}),
		idle:     30 * time.Second,
	}
	for _, o := range opts {
		o(s)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s.addr = l.Addr().String()
	s.serve(l)
	t.Cleanup(s.Stop)
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// URL is smtp://127.0.0.1:port, or smtps://... with WithImplicitTLS.
func (s *Server) URL() string {
	if s.implicitTLS {
		return "smtps://" + s.addr
	}
	return "smtp://" + s.addr
}

// stopWait bounds how long Stop waits for the connections it cut to end.
const stopWait = 10 * time.Second

// Stop closes the listener and cuts every open connection, as a relay
// that goes down does, and waits for their sessions to end; the port then
// refuses connections until Restart.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln, open := s.srv, s.ln, s.open
	s.srv, s.ln, s.open = nil, nil, nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	if err := open.Stop(srv, ln, stopWait); err != nil {
		log.Printf("smtptest: %v", err)
	}
}

// Restart listens again on the same port after Stop.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		t.Fatalf("smtptest: listen again on %s: %v", s.addr, err)
	}
	s.serve(l)
}

// Messages returns what the server accepted so far, in order of arrival.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Connections counts the SMTP connections the server has accepted.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// WaitClosed waits until the server has ended at least n of the
// sessions it accepted; it fails t if that takes longer than timeout.
func (s *Server) WaitClosed(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		closed, arrived := s.closed, s.arrived
		s.mu.Unlock()
		if closed >= n {
			return
		}
		select {
		case <-arrived:
		case <-deadline.C:
			t.Fatalf("smtptest: %d sessions ended after %s, want %d", closed, timeout, n)
			return
		}
	}
}

// WaitFor waits until at least n messages arrived and returns them all; it
// fails t if that takes longer than timeout.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	return s.WaitForMatch(t, func(Received) bool { return true }, n, timeout)
}

// WaitForMatch waits until at least n of the messages that arrived satisfy
// match and returns those; it fails t if that takes longer than timeout.
func (s *Server) WaitForMatch(t testing.TB, match func(Received) bool, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		var matched []Received
		for _, m := range s.msgs {
			if match(m) {
				matched = append(matched, m)
			}
		}
		arrived := s.arrived
		s.mu.Unlock()
		if len(matched) >= n {
			return matched
		}
		select {
		case <-arrived:
		case <-deadline.C:
			t.Fatalf("smtptest: %d matching messages after %s, want %d", len(matched), timeout, n)
			return nil
		}
	}
}

func (s *Server) serve(l net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = s.idle
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.ErrorLog = log.New(io.Discard, "", 0)
	open := smtpstop.New()
	l = open.Listener(l)
	if len(s.hidden) > 0 {
		l = hidingListener{Listener: l, names: s.hidden}
	}
	if s.latency > 0 {
		l = slowListener{Listener: l, latency: s.latency}
	}
	if s.tls != nil {
		if s.implicitTLS {
			l = tls.NewListener(l, s.tls)
		} else {
			srv.TLSConfig = s.tls
		}
	}
	s.mu.Lock()
	s.srv, s.ln, s.open = srv, l, open
	s.mu.Unlock()
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, net.ErrClosed) {
			log.Printf("smtptest: serve: %v", err)
		}
	}()
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[c] = true
	var down <-chan struct{}
	if s.open != nil {
		down = s.open.Down()
	}
	return &session{srv: s, conn: c, down: down}, nil
}

// Held is how many messages HoldData holds now: their data was read
// whole, and their senders wait for the reply.
func (s *Server) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
}

func (s *Server) holding(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held += n
}

func (s *Server) add(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, r)
	s.changedLocked()
}

func (s *Server) sessionEnded() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed++
	s.changedLocked()
}

// changedLocked wakes the waiters.
func (s *Server) changedLocked() {
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// hidingListener's connections leave the EHLO lines of names out of what
// the server writes.
type hidingListener struct {
	net.Listener
	names []string
}

func (l hidingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &hidingConn{Conn: c, names: l.names}, nil
}

type hidingConn struct {
	net.Conn
	names []string
}

func (c *hidingConn) Write(p []byte) (int, error) {
	out := p
	for _, n := range c.names {
		out = bytes.ReplaceAll(out, []byte("250-"+n+"\r\n"), nil)
	}
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
