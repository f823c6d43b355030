package mail_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
)

// newPool returns a pool of conns connections to url, closed when the test
// ends.
func newPool(t *testing.T, url string, conns int) *mail.SMTPPool {
	t.Helper()
	p, err := mail.NewSMTPPool(url, conns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestSMTPPoolSpreadsABurstOverItsConnectionsAndNoMore(t *testing.T) {
	srv := smtptest.Start(t)
	p := newPool(t, srv.URL(), 3)
	const burst = 24
	var wg sync.WaitGroup
	errs := make(chan error, burst)
	for i := range burst {
		wg.Go(func() { errs <- p.Send(context.Background(), testMessage(fmt.Sprintf("p%02d@example.com", i))) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := srv.WaitFor(t, burst, wait)
	seen := map[string]bool{}
	for _, m := range got {
		seen[m.To] = true
	}
	if len(seen) != burst {
		t.Errorf("%d distinct recipients of %d mails", len(seen), burst)
	}
	if n := srv.Connections(); n < 2 || n > 3 {
		t.Errorf("%d connections for a burst of %d over a pool of 3, want 2 or 3", n, burst)
	}
}

func TestSMTPPoolSendsATrickleOverOneConnection(t *testing.T) {
	srv := smtptest.Start(t)
	p := newPool(t, srv.URL(), 4)
	for i := range 8 {
		if err := p.Send(context.Background(), testMessage(fmt.Sprintf("t%d@example.com", i))); err != nil {
			t.Fatal(err)
		}
	}
	srv.WaitFor(t, 8, wait)
	if n := srv.Connections(); n != 1 {
		t.Errorf("%d connections for 8 mails one after another, want the one used last each time", n)
	}
}

func TestSMTPPoolRejectsABadURLAndRedactsItsPassword(t *testing.T) {
	if _, err := mail.NewSMTPPool("http://example.com", 2); err == nil {
		t.Error("an http:// URL made a pool")
	}
	p, err := mail.NewSMTPPool("smtp://user:hunter2@127.0.0.1:2525", 2)
	if err != nil {
		t.Fatal(err)
	}
	if s := p.String(); s == "" || strings.Contains(s, "hunter2") {
		t.Errorf("String() = %q", s)
	}
}

func TestSMTPPoolSendsAGroupOverItsConnectionsWithEachErrorInItsPlace(t *testing.T) {
	srv := smtptest.Start(t)
	p := newPool(t, srv.URL(), 3)
	const n = 24
	ms := make([]mail.Message, n)
	for i := range ms {
		ms[i] = testMessage(fmt.Sprintf("g%02d@example.com", i))
	}
	ms[5].To = "not an address"
	ms[17].Text, ms[17].HTML = "", ""
	errs := p.SendGroup(context.Background(), ms)
	if len(errs) != n {
		t.Fatalf("%d errors for %d messages", len(errs), n)
	}
	for i, err := range errs {
		bad := i == 5 || i == 17
		if bad != (err != nil) || bad && !mail.IsPermanent(err) {
			t.Errorf("message %d: error %v", i, err)
		}
	}
	got := srv.WaitFor(t, n-2, wait)
	seen := map[string]bool{}
	for _, m := range got {
		seen[m.To] = true
	}
	if len(seen) != n-2 || seen["g05@example.com"] || seen["g17@example.com"] {
		t.Errorf("recipients %v, want the %d good ones", seen, n-2)
	}
	if c := srv.Connections(); c < 2 || c > 3 {
		t.Errorf("%d connections for a group of %d over a pool of 3, want 2 or 3", c, n)
	}
}

func TestSMTPPoolSendsAGroupBesideSingleSends(t *testing.T) {
	srv := smtptest.Start(t)
	p := newPool(t, srv.URL(), 2)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() { errs <- p.Send(context.Background(), testMessage(fmt.Sprintf("s%d@example.com", i))) })
	}
	ms := make([]mail.Message, 10)
	for i := range ms {
		ms[i] = testMessage(fmt.Sprintf("b%d@example.com", i))
	}
	for i, err := range p.SendGroup(context.Background(), ms) {
		if err != nil {
			t.Errorf("group message %d: %v", i, err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	srv.WaitFor(t, 18, wait)
	if c := srv.Connections(); c > 2 {
		t.Errorf("%d connections over a pool of 2", c)
	}
}
