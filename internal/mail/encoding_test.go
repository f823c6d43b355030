package mail_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep/internal/mail/smtptest"
)

// TestSMTPSenderSendsPartsAs8bitWhenTheServerAndTheTextAllow sends
// messages to a real SMTP server, with and without 8BITMIME, and checks
// the transfer encoding each part went in and that both decode to what
// was sent.
func TestSMTPSenderSendsPartsAs8bitWhenTheServerAndTheTextAllow(t *testing.T) {
	long := func(n int) string {
		return "https://shop.example/" + strings.Repeat("a", n-len("https://shop.example/"))
	}
	for _, tc := range []struct {
		name       string
		no8BitMIME bool
		text, html string
		want       string
	}{
		{"ASCII", false, "Open https://shop.example/r?a=1&b=2\n", "<a href=\"https://shop.example/r?a=1&amp;b=2\">reset</a>\n", "8bit"},
		{"UTF-8", false, "Réinitialisez — ça marche\n", "<p>Réinitialisez — ça marche</p>\n", "8bit"},
		{"server without 8BITMIME", true, "Réinitialisez\n", "<p>Réinitialisez</p>\n", "quoted-printable"},
		{"line of 998 octets", false, long(998) + "\nend\n", "<p>x</p>\n", "8bit"},
		{"text line of 999 octets", false, long(999) + "\nend\n", "<p>x</p>\n", "quoted-printable"},
		{"HTML line of 999 octets", false, "x\n", long(999) + "\n", "quoted-printable"},
		{"last line of 999 octets, no line feed", false, "x\n", long(999), "quoted-printable"},
		{"NUL", false, "a\x00b\n", "<p>x</p>\n", "quoted-printable"},
		{"carriage return", false, "a\rb\n", "<p>x</p>\n", "quoted-printable"},
		{"invalid UTF-8", false, "a\n", "<p>\xff\xfe</p>\n", "quoted-printable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []smtptest.Option
			if tc.no8BitMIME {
				opts = append(opts, smtptest.Without8BITMIME())
			}
			srv := smtptest.Start(t, opts...)
			s := newSender(t, srv.URL())
			m := testMessage("ana@example.com")
			m.Text, m.HTML = tc.text, tc.html
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			got := srv.WaitFor(t, 1, wait)[0]
			if got.TextEncoding != tc.want || got.HTMLEncoding != tc.want {
				t.Errorf("parts went as %q and %q, want %q", got.TextEncoding, got.HTMLEncoding, tc.want)
			}
			wantBody := "8BITMIME"
			if tc.no8BitMIME {
				wantBody = ""
			}
			if got.BodyType != wantBody {
				t.Errorf("MAIL FROM BODY=%q, want %q", got.BodyType, wantBody)
			}
			if text, want := lines(got.Text), lines(tc.text); text != want {
				t.Errorf("text part decodes to %q, want %q", text, want)
			}
			if html, want := lines(got.HTML), lines(tc.html); html != want {
				t.Errorf("HTML part decodes to %q, want %q", html, want)
			}
		})
	}
}

// lines ends every line of s with a line feed alone, as both encodings
// leave the text once decoded.
func lines(s string) string {
	return strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
}

// TestSMTPPoolSendsAs8bitOverEachConnection checks that the choice is made
// per connection: with every one of a pool's connections open to a server
// with 8BITMIME, each sends 8bit parts.
func TestSMTPPoolSendsAs8bitOverEachConnection(t *testing.T) {
	release := make(chan struct{})
	srv := smtptest.Start(t, smtptest.HoldData(release))
	const conns, mails = 4, 8
	p := newPool(t, srv.URL(), conns)
	done := make(chan error)
	for i := range mails {
		go func() { done <- p.Send(context.Background(), testMessage(fmt.Sprintf("c%d@example.com", i))) }()
	}
	deadline := time.Now().Add(wait)
	for srv.Connections() < conns {
		if time.Now().After(deadline) {
			close(release)
			t.Fatalf("%d connections open while %d mails were held, want %d", srv.Connections(), mails, conns)
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	for range mails {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	for _, got := range srv.WaitFor(t, mails, wait) {
		if got.TextEncoding != "8bit" || got.HTMLEncoding != "8bit" || got.BodyType != "8BITMIME" {
			t.Errorf("to %s: parts %q/%q, BODY=%q", got.To, got.TextEncoding, got.HTMLEncoding, got.BodyType)
		}
	}
	if n := srv.Connections(); n != conns {
		t.Errorf("%d connections, want %d", n, conns)
	}
}
