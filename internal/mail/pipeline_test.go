package mail_test

import (
	"context"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
)

// turnCounter counts the times the client waits for the server: each read
// that follows a write is one round trip.
type turnCounter struct {
	net.Conn
	mu    sync.Mutex
	wrote bool
	turns int
}

func (c *turnCounter) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.wrote = true
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *turnCounter) Read(p []byte) (int, error) {
	c.mu.Lock()
	if c.wrote {
		c.turns++
		c.wrote = false
	}
	c.mu.Unlock()
	return c.Conn.Read(p)
}

func (c *turnCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.turns
}

// startCountingTurns starts a server that leaves out the extensions named
// in hidden and a sender whose connection counts its round trips, and
// sends one message, so that the connection is open and greeted.
func startCountingTurns(t *testing.T, hidden []string) (*smtptest.Server, *mail.SMTPSender, *turnCounter) {
	t.Helper()
	var opts []smtptest.Option
	if hidden != nil {
		opts = append(opts, smtptest.WithoutExtensions(hidden...))
	}
	srv := smtptest.Start(t, opts...)
	var conn *turnCounter
	s, err := mail.NewSMTPSender(srv.URL(), mail.WithConnTap(func(c net.Conn) net.Conn {
		conn = &turnCounter{Conn: c}
		return conn
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Send(context.Background(), testMessage("first@example.com")); err != nil {
		t.Fatal(err)
	}
	return srv, s, conn
}

// servers are the three ways a message goes: pipelined with BDAT, where
// the server takes PIPELINING and CHUNKING; pipelined with DATA, where it
// takes PIPELINING alone; and a command at a time, where it lacks
// PIPELINING.
var servers = []struct {
	name string
	opts []smtptest.Option
}{
	{"pipelined with BDAT", nil},
	{"pipelined with DATA", []smtptest.Option{smtptest.WithoutExtensions("CHUNKING")}},
	{"one command at a time", []smtptest.Option{smtptest.WithoutExtensions("PIPELINING")}},
}

func TestSMTPSenderSendsAMessageInAsFewRoundTripsAsTheServerAllows(t *testing.T) {
	for _, tc := range []struct {
		name   string
		hidden []string
		want   int
	}{
		{"PIPELINING and CHUNKING", nil, 1},
		{"PIPELINING alone", []string{"CHUNKING"}, 2},
		{"CHUNKING alone", []string{"PIPELINING"}, 4},
		{"neither", []string{"PIPELINING", "CHUNKING"}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, s, conn := startCountingTurns(t, tc.hidden)
			before := conn.count()
			for _, to := range []string{"a@example.com", "b@example.com", "c@example.com"} {
				if err := s.Send(context.Background(), testMessage(to)); err != nil {
					t.Fatal(err)
				}
			}
			if per := (conn.count() - before) / 3; per != tc.want {
				t.Errorf("%d round trips a message, want %d", per, tc.want)
			}
			if got := srv.WaitFor(t, 4, wait); len(got) != 4 || got[3].To != "c@example.com" {
				t.Errorf("server has %d messages", len(got))
			}
		})
	}
}

func TestSMTPSenderBodyCannotAddCommandsToTheSession(t *testing.T) {
	const smuggled = "Hello\n.\nMAIL FROM:<evil@attacker.example>\nRCPT TO:<victim@example.com>\nBDAT 5 LAST\nDATA\nhello\n.\n"
	for _, sv := range servers {
		t.Run(sv.name, func(t *testing.T) {
			srv := smtptest.Start(t, sv.opts...)
			s := newSender(t, srv.URL())
			m := testMessage("ana@example.com")
			m.Text = smuggled
			m.HTML = ""
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			if err := s.Send(context.Background(), testMessage("ben@example.com")); err != nil {
				t.Fatal(err)
			}
			got := srv.WaitFor(t, 2, wait)
			if len(got) != 2 || got[0].To != "ana@example.com" || got[1].To != "ben@example.com" {
				t.Fatalf("server received %d messages: %+v", len(got), got)
			}
			for _, r := range got {
				if len(r.Recipients) != 1 || r.EnvelopeFrom != m.From {
					t.Errorf("envelope %q → %q", r.EnvelopeFrom, r.Recipients)
				}
			}
			if want := strings.ReplaceAll(smuggled, "\n", "\r\n"); got[0].Text != want {
				t.Errorf("text part = %q, want %q, every line as it was", got[0].Text, want)
			}
		})
	}
}

// startRefusing starts a server, with opts, that refuses mail to
// gone@example.com for good and to busy@example.com for now, and a sender
// to it.
func startRefusing(t *testing.T, opts []smtptest.Option) (*smtptest.Server, *mail.SMTPSender) {
	t.Helper()
	srv := smtptest.Start(t, append([]smtptest.Option{
		smtptest.RejectRecipient("gone@example.com"),
		smtptest.DeferRecipient("busy@example.com"),
	}, opts...)...)
	return srv, newSender(t, srv.URL())
}

func TestSMTPSenderRefusedStepsLeaveTheConnectionReadyForTheNext(t *testing.T) {
	for _, sv := range servers {
		t.Run(sv.name, func(t *testing.T) {
			srv, s := startRefusing(t, sv.opts)
			for _, tc := range []struct {
				to        string
				permanent bool
			}{
				{"gone@example.com", true},
				{"busy@example.com", false},
				{"gone@example.com", true},
			} {
				err := s.Send(context.Background(), testMessage(tc.to))
				if err == nil || mail.IsPermanent(err) != tc.permanent {
					t.Errorf("to %s: err = %v, want permanent %v", tc.to, err, tc.permanent)
				}
				if err := s.Send(context.Background(), testMessage("ana@example.com")); err != nil {
					t.Fatalf("after the refusal of %s: %v", tc.to, err)
				}
			}
			got := srv.WaitFor(t, 3, wait)
			for _, r := range got {
				if r.To != "ana@example.com" || len(r.Recipients) != 1 {
					t.Errorf("delivered to %q (envelope %q)", r.To, r.Recipients)
				}
			}
			if n := srv.Connections(); n != 1 {
				t.Errorf("%d connections, want the one kept through every refusal", n)
			}
		})
	}
}

func TestSMTPSenderMessageOverTheServersSizeIsPermanent(t *testing.T) {
	line := strings.Repeat("x", 900) + "\n"
	for _, sv := range servers {
		t.Run(sv.name, func(t *testing.T) {
			srv := smtptest.Start(t, sv.opts...)
			s := newSender(t, srv.URL())
			m := testMessage("ana@example.com")
			m.Text, m.HTML = strings.Repeat(line, 12_000), ""
			if err := s.Send(context.Background(), m); !mail.IsPermanent(err) {
				t.Fatalf("11 MB message to a server that takes 10 MB: err = %v, want permanent", err)
			}
			if c := mail.MessageBufferCap(s); c > 256<<10 {
				t.Errorf("the sender keeps a %d KB buffer after an 11 MB message, want it let go", c>>10)
			}
			if err := s.Send(context.Background(), testMessage("ben@example.com")); err != nil {
				t.Fatalf("next message: %v", err)
			}
			if got := srv.WaitFor(t, 1, wait); len(got) != 1 || got[0].To != "ben@example.com" {
				t.Errorf("server has %d messages", len(got))
			}
		})
	}
}

func TestCRLFEndsEveryLineWithCRLF(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"a", "a"},
		{"a\r\nb\r\n", "a\r\nb\r\n"},
		{"a\nb\n", "a\r\nb\r\n"},
		{"\n", "\r\n"},
		{"\n\n", "\r\n\r\n"},
		{"a\r\nb\nc\r\n", "a\r\nb\r\nc\r\n"},
		{"a\r\r\nb", "a\r\r\nb"},
		{"a\rb\n", "a\rb\r\n"},
	} {
		for chunk := 1; chunk <= max(len(tc.in), 1); chunk++ {
			if got := mail.CRLF(tc.in, chunk); got != tc.want {
				t.Errorf("%q written %d bytes at a time = %q, want %q", tc.in, chunk, got, tc.want)
			}
		}
	}
}

// loopbackRelay accepts connections on 127.0.0.1 until the test ends,
// counts them, and serves each on a goroutine of its own.
type loopbackRelay struct {
	ln    net.Listener
	mu    sync.Mutex
	conns int
}

func listenLoopback(t *testing.T, serve func(net.Conn)) *loopbackRelay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &loopbackRelay{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.mu.Lock()
			r.conns++
			r.mu.Unlock()
			go serve(c)
		}
	}()
	return r
}

// url is the relay's smtp:// URL, without STARTTLS.
func (r *loopbackRelay) url() string { return "smtp://" + r.ln.Addr().String() + "?starttls=none" }

// scriptedRelay is a relay on loopback that pipelines but opens DATA even
// after refusing the only recipient, as RFC 2920 (section 3.1) says a
// server must not and some old ones do. It records the data it was given.
type scriptedRelay struct {
	*loopbackRelay
	data []string
}

func startScriptedRelay(t *testing.T) *scriptedRelay {
	r := &scriptedRelay{}
	r.loopbackRelay = listenLoopback(t, r.serve)
	return r
}

func (r *scriptedRelay) serve(c net.Conn) {
	serveCommands(c, []string{"PIPELINING"}, func(tp *textproto.Conn, verb, _ string) (bool, bool) {
		switch verb {
		case "MAIL", "RSET", "NOOP":
			tp.PrintfLine("250 OK")
		case "RCPT":
			tp.PrintfLine("550 No such mailbox")
		case "DATA":
			tp.PrintfLine("354 Go ahead")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return true, true
			}
			r.mu.Lock()
			r.data = append(r.data, string(data))
			r.mu.Unlock()
			tp.PrintfLine("554 No valid recipients")
		default:
			return false, false
		}
		return true, false
	})
}

// serveCommands greets c as relay.example, lists exts in its reply to
// EHLO, answers QUIT, and hands every other command to handle, its verb in
// upper case, until handle says to stop or the client leaves; a command
// handle does not take is answered 502.
func serveCommands(c net.Conn, exts []string, handle func(tp *textproto.Conn, verb, arg string) (handled, stop bool)) {
	defer c.Close()
	tp := textproto.NewConn(c)
	tp.PrintfLine("220 relay.example ESMTP")
	ehlo := "250-relay.example"
	for i, ext := range exts {
		sep := "-"
		if i == len(exts)-1 {
			sep = " "
		}
		ehlo += "\r\n250" + sep + ext
	}
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch verb = strings.ToUpper(verb); verb {
		case "EHLO":
			tp.PrintfLine("%s", ehlo)
			continue
		case "QUIT":
			tp.PrintfLine("221 Bye")
			return
		}
		handled, stop := handle(tp, verb, arg)
		if stop {
			return
		}
		if !handled {
			tp.PrintfLine("502 Not implemented")
		}
	}
}

func TestSMTPSenderSendsNothingWhenARelayOpensDataForNoRecipient(t *testing.T) {
	relay := startScriptedRelay(t)
	s := newSender(t, relay.url())
	for range 2 {
		if err := s.Send(context.Background(), testMessage("gone@example.com")); !mail.IsPermanent(err) {
			t.Fatalf("refused recipient: err = %v, want permanent", err)
		}
	}
	relay.mu.Lock()
	defer relay.mu.Unlock()
	if len(relay.data) != 2 {
		t.Fatalf("relay saw %d DATA commands, want 2", len(relay.data))
	}
	for _, d := range relay.data {
		if d != "" {
			t.Errorf("relay was given %q after refusing the recipient, want nothing", d)
		}
	}
	if relay.conns != 1 {
		t.Errorf("%d connections, want the one kept, reset after each refusal", relay.conns)
	}
}
