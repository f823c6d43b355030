package smtpstop_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/storekeep/storekeep/internal/mail/smtpstop"
)

// session reads each message's data, saying when it begins and when it has
// read it all, and, when hold is set, then waits for it without watching
// Down, as a stuck backend would.
type session struct {
	began, read chan<- struct{}
	hold        <-chan struct{}
}

func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *session) Reset()                               {}
func (s *session) Logout() error                        { return nil }
func (s *session) Data(r io.Reader) error {
	s.began <- struct{}{}
	_, err := io.ReadAll(r)
	s.read <- struct{}{}
	if s.hold != nil {
		<-s.hold
	}
	return err
}

// serve runs a go-smtp server on 127.0.0.1 through o's listener.
func serve(t *testing.T, o *smtpstop.Conns, hold <-chan struct{}) (srv *smtp.Server, ln net.Listener, began, read <-chan struct{}) {
	t.Helper()
	b, r := make(chan struct{}, 16), make(chan struct{}, 16)
	srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{began: b, read: r, hold: hold}, nil
	}))
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(o.Listener(ln))
	return srv, ln, b, r
}

// midChunk opens a session and leaves it in the middle of a BDAT chunk.
func midChunk(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "EHLO client\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nBDAT 1000 LAST\r\nSubject: cut\r\n\r\n")
	return c
}

func TestStopCutsSessionsInTheMiddleOfAChunk(t *testing.T) {
	o := smtpstop.New()
	srv, ln, began, _ := serve(t, o, nil)
	for range 4 {
		midChunk(t, ln.Addr().String())
	}
	for range 4 {
		select {
		case <-began:
		case <-time.After(10 * time.Second):
			t.Fatal("the server never began reading a chunk")
		}
	}
	start := time.Now()
	if err := o.Stop(srv, ln, 10*time.Second); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Stop took %s for sessions whose sockets it cut", took)
	}
	select {
	case <-o.Down():
	default:
		t.Error("Down is still open after Stop")
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("the listener still accepts after Stop")
	}
	if err := o.Stop(srv, ln, time.Second); err != nil {
		t.Errorf("a second Stop = %v, want nil", err)
	}
}

func TestStopClosesSessionsThatOutlastTheWait(t *testing.T) {
	hold := make(chan struct{})
	defer close(hold)
	o := smtpstop.New()
	srv, ln, began, read := serve(t, o, hold)
	c := midChunk(t, ln.Addr().String())
	<-began
	fmt.Fprintf(c, "%0984d", 0)
	<-read
	if err := o.Stop(srv, ln, 200*time.Millisecond); !errors.Is(err, smtpstop.ErrSessionsLeft) {
		t.Fatalf("Stop = %v, want ErrSessionsLeft", err)
	}
}

// lateListener hands out one connection only once it is let go, as a
// listener whose Accept returned just as Stop began.
type lateListener struct {
	net.Listener
	conn   net.Conn
	letGo  chan struct{}
	handed bool
}

func (l *lateListener) Accept() (net.Conn, error) {
	if l.handed {
		return nil, net.ErrClosed
	}
	<-l.letGo
	l.handed = true
	return l.conn, nil
}

func TestAConnectionAcceptedAsStopBeginsIsCutToo(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server, client := net.Pipe()
	defer client.Close()
	late := &lateListener{Listener: ln, conn: server, letGo: make(chan struct{})}
	o := smtpstop.New()
	wrapped := o.Listener(late)
	accepted := make(chan error, 1)
	go func() {
		_, err := wrapped.Accept()
		accepted <- err
	}()
	if err := o.Stop(smtp.NewServer(nil), ln, time.Second); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	close(late.letGo)
	if err := <-accepted; !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Stop = %v, want net.ErrClosed", err)
	}
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := client.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("the late connection's peer read %v, want io.EOF: it was left open", err)
	}
}
