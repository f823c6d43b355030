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
