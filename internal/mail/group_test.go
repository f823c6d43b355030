package mail_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
)

func messagesTo(addrs ...string) []mail.Message {
	ms := make([]mail.Message, len(addrs))
	for i, a := range addrs {
		ms[i] = testMessage(a)
	}
	return ms
}

func TestSMTPSenderSendsAGroupInAsFewRoundTripsAsTheServerAllows(t *testing.T) {
	to := []string{"a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com"}
	for _, tc := range []struct {
		name   string
		hidden []string
		want   int
	}{
		{"PIPELINING and CHUNKING", nil, 1},
		{"PIPELINING alone", []string{"CHUNKING"}, 2 * len(to)},
		{"neither", []string{"PIPELINING", "CHUNKING"}, 4 * len(to)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, s, conn := startCountingTurns(t, tc.hidden)
			before := conn.count()
			for i, err := range s.SendGroup(context.Background(), messagesTo(to...)) {
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
			}
			if n := conn.count() - before; n != tc.want {
				t.Errorf("%d round trips for a group of %d, want %d", n, len(to), tc.want)
			}
			got := srv.WaitFor(t, 1+len(to), wait)
			for i, r := range got[1:] {
				if r.To != to[i] || len(r.Recipients) != 1 || r.Recipients[0] != to[i] {
					t.Errorf("message %d went to %q (envelope %q), want %s", i, r.To, r.Recipients, to[i])
				}
			}
		})
	}
}

func TestSMTPSenderGroupKeepsEachRefusalToItsOwnMessage(t *testing.T) {
	for _, sv := range servers {
		t.Run(sv.name, func(t *testing.T) {
			srv, s := startRefusing(t, sv.opts)
			group := messagesTo("ana@example.com", "gone@example.com", "ben@example.com", "busy@example.com",
				"cy@example.com", "gone@example.com")
			group = append(group, mail.Message{From: "shop@example.com", To: "not an address", Text: "x"})
			errs := s.SendGroup(context.Background(), group)
			for i, want := range []string{"", "permanent", "", "temporary", "", "permanent", "permanent"} {
				switch err := errs[i]; {
				case want == "" && err != nil:
					t.Errorf("message %d to %s: %v, want delivered", i, group[i].To, err)
				case want != "" && (err == nil || mail.IsPermanent(err) != (want == "permanent")):
					t.Errorf("message %d to %s: err = %v, want a %s failure", i, group[i].To, err, want)
				}
			}
			if err := s.Send(context.Background(), testMessage("dee@example.com")); err != nil {
				t.Fatalf("after the group: %v", err)
			}
			got := srv.WaitFor(t, 4, wait)
			for i, want := range []string{"ana@example.com", "ben@example.com", "cy@example.com", "dee@example.com"} {
				if got[i].To != want || len(got[i].Recipients) != 1 || got[i].Recipients[0] != want ||
					got[i].EnvelopeFrom != group[0].From {
					t.Errorf("message %d: to %q, envelope %q → %q; want %s alone", i, got[i].To, got[i].EnvelopeFrom,
						got[i].Recipients, want)
				}
			}
			if n := srv.Connections(); n != 1 {
				t.Errorf("%d connections, want the one kept through every refusal", n)
			}
		})
	}
}

func TestSMTPSenderGroupGoesOverANewConnectionWhenTheKeptOneWasDropped(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithIdleTimeout(100*time.Millisecond))
	s := newSender(t, srv.URL())
	if err := s.Send(context.Background(), testMessage("first@example.com")); err != nil {
		t.Fatal(err)
	}
	srv.WaitClosed(t, 1, wait)
	for i, err := range s.SendGroup(context.Background(), messagesTo("a@example.com", "b@example.com", "c@example.com")) {
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if got := srv.WaitFor(t, 4, wait); len(got) != 4 {
		t.Fatalf("server has %d messages, want 4", len(got))
	}
	if n := srv.Connections(); n != 2 {
		t.Errorf("%d connections, want 2: the one dropped while idle, and one new", n)
	}
}

// sloppyRelay is a relay on loopback that takes PIPELINING and CHUNKING
// and, like relays that cap the mail of one session, answers 421 to the
// first RSET or MAIL after perConn messages and closes. It refuses the
// data of mail to a recipient in refuseData with 451 and, as RFC 3030
// says it must not, keeps that transaction's recipients: only RSET or a
// message it took clears them, not a new MAIL. It records the recipients
// of each message it took.
type sloppyRelay struct {
	*loopbackRelay
	perConn     int
	refuseData  string
	refuseReset bool
	took        []string
}

func startSloppyRelay(t *testing.T, perConn int, refuseData string) *sloppyRelay {
	r := &sloppyRelay{perConn: perConn, refuseData: refuseData}
	r.loopbackRelay = listenLoopback(t, r.serve)
	return r
}

func (r *sloppyRelay) serve(c net.Conn) {
	took := 0
	var rcpts []string
	serveCommands(c, []string{"PIPELINING", "CHUNKING"}, func(tp *textproto.Conn, verb, arg string) (bool, bool) {
		switch verb {
		case "RSET", "MAIL":
			if took == r.perConn {
				tp.PrintfLine("421 4.7.0 Too many messages in this session")
				c.(*net.TCPConn).CloseWrite()
				io.Copy(io.Discard, c)
				return true, true
			}
			if verb == "RSET" && r.refuseReset {
				tp.PrintfLine("502 5.5.1 RSET not implemented")
				return true, false
			}
			if verb == "RSET" {
				rcpts = nil
			}
			tp.PrintfLine("250 OK")
		case "RCPT":
			rcpts = append(rcpts, strings.TrimSuffix(strings.TrimPrefix(arg, "TO:<"), ">"))
			tp.PrintfLine("250 OK")
		case "BDAT":
			size, _ := strconv.Atoi(strings.TrimSuffix(arg, " LAST"))
			if _, err := io.CopyN(io.Discard, tp.R, int64(size)); err != nil {
				return true, true
			}
			if slices.Contains(rcpts, r.refuseData) {
				tp.PrintfLine("451 4.3.0 Try again later")
				return true, false
			}
			took++
			r.mu.Lock()
			r.took = append(r.took, strings.Join(rcpts, ","))
			r.mu.Unlock()
			rcpts = nil
			tp.PrintfLine("250 OK")
		default:
			return false, false
		}
		return true, false
	})
}

func TestSMTPSenderGroupNeverLeavesARefusedMessagesRecipientToTheNext(t *testing.T) {
	relay := startSloppyRelay(t, 100, "busy@example.com")
	s := newSender(t, relay.url())
	errs := s.SendGroup(context.Background(), messagesTo("busy@example.com", "ana@example.com", "ben@example.com"))
	if errs[0] == nil || mail.IsPermanent(errs[0]) || errs[1] != nil || errs[2] != nil {
		t.Fatalf("errors %v, want busy@ refused for now and the others delivered", errs)
	}
	relay.mu.Lock()
	defer relay.mu.Unlock()
	if strings.Join(relay.took, " ") != "ana@example.com ben@example.com" {
		t.Errorf("relay took messages for %q, want one for ana@ and one for ben@, each to its own recipient alone",
			relay.took)
	}
}

func TestSMTPSenderGroupStopsTrustingASessionWhoseRSETWasRefused(t *testing.T) {
	relay := startSloppyRelay(t, 100, "")
	relay.refuseReset = true
	s := newSender(t, relay.url())
	errs := s.SendGroup(context.Background(), messagesTo("ana@example.com", "ben@example.com", "cy@example.com"))
	if errs[0] != nil {
		t.Fatalf("the first message, before any RSET: %v", errs[0])
	}
	for i, err := range errs[1:] {
		if err == nil || mail.IsPermanent(err) {
			t.Errorf("message %d after the refused RSET: err = %v, want a failure to try again", i+1, err)
		}
	}
	if err := s.Send(context.Background(), testMessage("dee@example.com")); err != nil {
		t.Fatalf("after the group: %v", err)
	}
	relay.mu.Lock()
	defer relay.mu.Unlock()
	if relay.conns != 2 || relay.took[0] != "ana@example.com" || relay.took[len(relay.took)-1] != "dee@example.com" {
		t.Errorf("%d connections, relay took %q; want the session left after the refused RSET", relay.conns, relay.took)
	}
}

func TestSMTPSenderGroupGoesOnOverANewConnectionWhenARelayEndsTheSessionMidway(t *testing.T) {
	relay := startSloppyRelay(t, 2, "")
	s := newSender(t, relay.url())
	var to []string
	for i := range 7 {
		to = append(to, fmt.Sprintf("c%d@example.com", i))
	}
	for i, err := range s.SendGroup(context.Background(), messagesTo(to...)) {
		if err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	relay.mu.Lock()
	defer relay.mu.Unlock()
	if strings.Join(relay.took, " ") != strings.Join(to, " ") {
		t.Errorf("relay took %q, want each message once, in order: %q", relay.took, to)
	}
	if relay.conns != 4 {
		t.Errorf("%d connections, want 4 for 7 messages at 2 a session", relay.conns)
	}
}

func TestSMTPPoolSendStopsWhenItsCallerLeaves(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv := smtptest.Start(t, smtptest.HoldData(release))
	p, err := mail.NewSMTPPool(srv.URL(), 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Send(ctx, testMessage("ana@example.com")) }()
	for deadline := time.Now().Add(wait); srv.Held() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the relay never held the message")
		}
	}
	cancel()
	select {
	case err := <-done:
		if err == nil || !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "interrupted") {
			t.Fatalf("Send returned %v, want it interrupted", err)
		}
	case <-time.After(wait):
		t.Fatal("Send went on after its caller left, while the relay held the message")
	}
}

func TestSMTPPoolSendsWhatWaitsForABusyConnectionInOneWrite(t *testing.T) {
	release := make(chan struct{})
	srv := smtptest.Start(t, smtptest.HoldData(release))
	var conn *turnCounter
	p, err := mail.NewSMTPPool(srv.URL(), 1, mail.WithConnTap(func(c net.Conn) net.Conn {
		conn = &turnCounter{Conn: c}
		return conn
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	to := []string{"first@example.com", "a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com"}
	errs := make([]error, len(to))
	var wg sync.WaitGroup
	wg.Go(func() { errs[0] = p.Send(context.Background(), testMessage(to[0])) })
	for deadline := time.Now().Add(wait); srv.Held() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the relay never held the first message")
		}
	}
	for i := 1; i < len(to); i++ {
		wg.Go(func() { errs[i] = p.Send(context.Background(), testMessage(to[i])) })
	}
	for deadline := time.Now().Add(wait); mail.PoolWaiting(p) != len(to)-1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d sends wait for the busy connection, want %d", mail.PoolWaiting(p), len(to)-1)
		}
	}
	before := conn.count()
	close(release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("send to %s: %v", to[i], err)
		}
	}
	if n := conn.count() - before; n != 1 {
		t.Errorf("the %d sends that waited took %d round trips, want 1: one write for all", len(to)-1, n)
	}
	got := srv.WaitFor(t, len(to), wait)
	seen := map[string]bool{}
	for _, r := range got {
		if len(r.Recipients) != 1 || r.Recipients[0] != r.To {
			t.Errorf("message to %q went to %q", r.To, r.Recipients)
		}
		seen[r.To] = true
	}
	if len(seen) != len(to) {
		t.Errorf("server has messages for %v, want one for each of %v", seen, to)
	}
}
