package mail_test

import (
	"context"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
)

// hostileSend renders m for shop, sends it over SMTP and returns what the
// server received, failing unless it went to m.To alone.
func hostileSend(t *testing.T, shop storekeep.Shop, m storekeep.Mail) smtptest.Received {
	t.Helper()
	msg, err := newRenderer(t, "").Render(shop, m, "no-reply@shop.example")
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	srv := smtptest.Start(t)
	if err := newSender(t, srv.URL()).Send(context.Background(), msg); err != nil {
		t.Fatalf("send: %v", err)
	}
	got := srv.WaitFor(t, 1, wait)[0]
	if len(got.Recipients) != 1 || got.Recipients[0] != m.To {
		t.Fatalf("recipients %q, want %s alone", got.Recipients, m.To)
	}
	return got
}

// breaksLine reports whether s, a header field as a reader decodes it,
// holds anything that starts a new line or hides text.
func breaksLine(s string) bool {
	return !storekeep.PlainLine(s) || strings.ContainsRune(s, '\uFFFD')
}

// A shop's sender and reply-to settings are checked as one plain line
// when they are set, but an RFC 2047 encoded word in their display name
// decodes to anything, CR, LF and NUL included. Decoded, such a name
// must not give the From or Reply-To field a line of its own, nor any
// field or recipient beyond the mail's.
func TestAnEncodedWordInASendersNameCannotBreakItsField(t *testing.T) {
	shop := testShop
	shop.MailFrom = `=?utf-8?q?Bob=0D=0ABcc=3A_thief=40evil.example=00?= <hello@shop.example>`
	shop.ReplyTo = `=?utf-8?b?` + "SGVscA0KQmNjOiB0aGllZkBldmlsLmV4YW1wbGU=" + `?= <help@shop.example>`
	got := hostileSend(t, shop, testMail(storekeep.TemplateReset, "en"))
	for _, field := range []string{"From", "Reply-To"} {
		list, err := got.Header.AddressList(field)
		if err != nil || len(list) != 1 {
			t.Fatalf("%s = %q: %v", field, got.Header.Get(field), err)
		}
		if breaksLine(list[0].Name) {
			t.Errorf("%s's display name decodes to %q", field, list[0].Name)
		}
	}
	if b := got.Header.Get("Bcc"); b != "" {
		t.Errorf("a Bcc field was smuggled in: %q", b)
	}
}

// A shop's name is checked as one plain line, but text that looks like an
// RFC 2047 encoded word is decoded by mail readers wherever it stands in
// a header field. Put as it is into the Subject and the From display
// name, such a name would read as a line break and a Bcc field.
func TestAShopNameThatLooksEncodedReadsAsTyped(t *testing.T) {
	for _, name := range []string{
		"=?utf-8?q?Bob=0D=0ABcc=3A_thief=40evil.example?=",
		"Café =?utf-8?b?QmNjOg==?= " + strings.Repeat("ü", 100),
		strings.Repeat("=?", 127),
	} {
		shop := testShop
		shop.Name = name
		if _, err := storekeep.NormalizeShopName(shop.Name); err != nil {
			t.Fatalf("the name is refused already: %v", err)
		}
		got := hostileSend(t, shop, testMail(storekeep.TemplateReset, "en"))
		if want := "Reset your " + shop.Name + " password"; got.Subject != want {
			t.Errorf("Subject reads %q, want %q", got.Subject, want)
		}
		from, err := got.Header.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Name != shop.Name {
			t.Errorf("From = %q (%v), want the name as typed", got.Header.Get("From"), err)
		}
		for line := range strings.Lines(string(got.Raw)) {
			if len(line) > 1000 {
				t.Errorf("a line of %d octets", len(line))
			}
		}
	}
}

// A shop's name or a customer's, stored before names were checked, may
// hold invalid UTF-8, NUL, CR and LF: none of it reaches a header field
// as a line break, a NUL or a field of its own.
func TestStoredControlCharactersNeverReachAHeaderField(t *testing.T) {
	shop := testShop
	shop.Name = "Bob\xff\x00\r\nBcc: thief@evil.example\r\n"
	m := testMail(storekeep.TemplateReset, "en")
	m.Data.ShopName = ""
	m.Data.FirstName = "Ana\r\nBcc: thief@evil.example"
	got := hostileSend(t, shop, m)
	from, err := got.Header.AddressList("From")
	if err != nil || len(from) != 1 {
		t.Fatalf("From = %q: %v", got.Header.Get("From"), err)
	}
	for field, v := range map[string]string{"Subject": got.Subject, "From": from[0].Name} {
		if !storekeep.PlainLine(v) || !strings.Contains(v, "Bcc: thief@evil.example") {
			t.Errorf("%s reads %q, want the name on one line", field, v)
		}
	}
	if b := got.Header.Get("Bcc"); b != "" {
		t.Errorf("a Bcc field was smuggled in: %q", b)
	}
}
