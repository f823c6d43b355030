package mail_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
)

const wait = 10 * time.Second

func testMessage(to string) mail.Message {
	return mail.Message{
		FromName:  "Café \"Bob\" & Co",
		From:      "no-reply@shop.example",
		To:        to,
		Subject:   "Réinitialisez votre mot de passe",
		Text:      "Ouvrez https://shop.example/account/reset/1/abc\n",
		HTML:      "<p>Ouvrez <a href=\"https://shop.example/account/reset/1/abc\">ce lien</a></p>\n",
		MessageID: "m1." + strings.ReplaceAll(to, "@", ".") + "@storekeep",
		Headers:   map[string]string{"Auto-Submitted": "auto-generated"},
	}
}

func newSender(t *testing.T, url string) *mail.SMTPSender {
	t.Helper()
	s, err := mail.NewSMTPSender(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSMTPSenderDeliversTextAndHTMLParts(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, srv.URL())
	m := testMessage("ana@example.com")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 1, wait)[0]
	if got.EnvelopeFrom != m.From || len(got.Recipients) != 1 || got.Recipients[0] != m.To || got.To != m.To {
		t.Errorf("envelope %q → %q, To %q, want %q → %q", got.EnvelopeFrom, got.Recipients, got.To, m.From, m.To)
	}
	if from, err := got.Header.AddressList("From"); err != nil || len(from) != 1 ||
		from[0].Name != m.FromName || from[0].Address != m.From {
		t.Errorf("From = %q (%v), want %s <%s>", got.Header.Get("From"), err, m.FromName, m.From)
	}
	if got.Subject != m.Subject {
		t.Errorf("Subject = %q, want %q", got.Subject, m.Subject)
	}
	if got.MessageID != m.MessageID {
		t.Errorf("Message-ID = %q, want %q", got.MessageID, m.MessageID)
	}
	if strings.TrimSpace(got.Text) != strings.TrimSpace(m.Text) {
		t.Errorf("text part = %q, want %q", got.Text, m.Text)
	}
	if strings.TrimSpace(got.HTML) != strings.TrimSpace(m.HTML) {
		t.Errorf("HTML part = %q, want %q", got.HTML, m.HTML)
	}
	if h := got.Header.Get("Auto-Submitted"); h != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", h)
	}
	if got.Header.Get("Date") == "" {
		t.Error("no Date header")
	}
}

func TestSMTPSenderReusesOneConnectionForABurst(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, srv.URL())
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := range 6 {
		wg.Go(func() { errs <- s.Send(context.Background(), testMessage(fmt.Sprintf("c%d@example.com", i))) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	srv.WaitFor(t, 6, wait)
	if n := srv.Connections(); n != 1 {
		t.Errorf("%d connections for a burst of 6, want 1", n)
	}
}

func TestSMTPSenderAuthenticatesWithPlain(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithAuth("shop", "s3cret pass"))
	s := newSender(t, "smtp://shop:s3cret%20pass@"+srv.Addr())
	if err := s.Send(context.Background(), testMessage("ana@example.com")); err != nil {
		t.Fatal(err)
	}
	srv.WaitFor(t, 1, wait)
}

func TestSMTPSenderWrongPasswordIsTemporary(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithAuth("shop", "right"))
	s := newSender(t, "smtp://shop:wrong@"+srv.Addr())
	err := s.Send(context.Background(), testMessage("ana@example.com"))
	if err == nil {
		t.Fatal("sent with a wrong password")
	}
	if mail.IsPermanent(err) {
		t.Errorf("wrong credentials are permanent for the message: %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("error shows the password: %v", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages accepted", n)
	}
}

func TestSMTPSenderRequiredSTARTTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithSTARTTLS(), smtptest.WithAuth("shop", "pw"))
	s := newSender(t, "smtp://shop:pw@"+srv.Addr()+"?starttls=required&insecure_skip_verify=1")
	if err := s.Send(context.Background(), testMessage("ana@example.com")); err != nil {
		t.Fatal(err)
	}
	if got := srv.WaitFor(t, 1, wait)[0]; !got.TLS {
		t.Error("message did not travel over TLS")
	}
}

func TestSMTPSenderOpportunisticSTARTTLSVerifiesCertificate(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithSTARTTLS())
	s := newSender(t, srv.URL())
	err := s.Send(context.Background(), testMessage("ana@example.com"))
	if err == nil {
		t.Fatal("sent over TLS to an untrusted certificate")
	}
	if mail.IsPermanent(err) {
		t.Errorf("TLS failure is permanent: %v", err)
	}
}

func TestSMTPSenderRequiredSTARTTLSRefusesPlainServer(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, srv.URL()+"?starttls=required")
	if err := s.Send(context.Background(), testMessage("ana@example.com")); err == nil {
		t.Fatal("sent in clear although STARTTLS is required")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages accepted", n)
	}
}

func TestSMTPSenderImplicitTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithImplicitTLS())
	s := newSender(t, srv.URL()+"?insecure_skip_verify=1")
	if err := s.Send(context.Background(), testMessage("ana@example.com")); err != nil {
		t.Fatal(err)
	}
	if got := srv.WaitFor(t, 1, wait)[0]; !got.TLS {
		t.Error("message did not travel over TLS")
	}
}

func TestSMTPSenderRejectedRecipientIsPermanent(t *testing.T) {
	srv := smtptest.Start(t, smtptest.RejectRecipient("gone@example.com"))
	s := newSender(t, srv.URL())
	err := s.Send(context.Background(), testMessage("gone@example.com"))
	if !mail.IsPermanent(err) {
		t.Fatalf("550 recipient: err = %v, want permanent", err)
	}
	if err := s.Send(context.Background(), testMessage("ana@example.com")); err != nil {
		t.Fatalf("next message after a 550: %v", err)
	}
	got := srv.WaitFor(t, 1, wait)
	if got[0].To != "ana@example.com" {
		t.Errorf("delivered to %v", got[0].To)
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("%d connections, want the one kept after the 550", n)
	}
}

func TestSMTPSenderDeferredRecipientIsTemporary(t *testing.T) {
	srv := smtptest.Start(t, smtptest.DeferRecipient("busy@example.com"))
	s := newSender(t, srv.URL())
	err := s.Send(context.Background(), testMessage("busy@example.com"))
	if err == nil || mail.IsPermanent(err) {
		t.Fatalf("451 recipient: err = %v, want temporary", err)
	}
}

func TestSMTPSenderClosedPortIsTemporary(t *testing.T) {
	srv := smtptest.Start(t)
	srv.Stop()
	s := newSender(t, srv.URL())
	err := s.Send(context.Background(), testMessage("ana@example.com"))
	if err == nil || mail.IsPermanent(err) {
		t.Fatalf("closed port: err = %v, want temporary", err)
	}
}

func TestSMTPSenderReconnectsAfterServerRestart(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, srv.URL())
	if err := s.Send(context.Background(), testMessage("a@example.com")); err != nil {
		t.Fatal(err)
	}
	srv.WaitFor(t, 1, wait)
	srv.Stop()
	if err := s.Send(context.Background(), testMessage("b@example.com")); err == nil || mail.IsPermanent(err) {
		t.Fatalf("server down: err = %v, want temporary", err)
	}
	srv.Restart(t)
	if err := s.Send(context.Background(), testMessage("c@example.com")); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if got := srv.WaitForMatch(t, func(m smtptest.Received) bool { return m.To == "c@example.com" }, 1, wait); len(got) != 1 {
		t.Errorf("%d deliveries to c@example.com", len(got))
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
}

func TestSMTPSenderDropsStaleConnection(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, srv.URL())
	if err := s.Send(context.Background(), testMessage("a@example.com")); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	srv.Restart(t)
	if err := s.Send(context.Background(), testMessage("b@example.com")); err != nil {
		t.Fatalf("send over a connection the server closed: %v", err)
	}
	srv.WaitFor(t, 2, wait)
	if n := srv.Connections(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

func TestSMTPSenderSendsOverANewConnectionAfterTheServerDroppedAnIdleOne(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithIdleTimeout(50*time.Millisecond))
	s := newSender(t, srv.URL())
	for i, to := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		if err := s.Send(context.Background(), testMessage(to)); err != nil {
			t.Fatalf("send %d, after the server closed the idle connection: %v", i+1, err)
		}
		srv.WaitClosed(t, i+1, wait)
	}
	got := srv.WaitFor(t, 3, wait)
	if len(got) != 3 {
		t.Errorf("%d messages, want 3, each once", len(got))
	}
	if n := srv.Connections(); n != 3 {
		t.Errorf("%d connections, want 3", n)
	}
}

func TestSMTPSenderDialsOnceForAStaleConnection(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, srv.URL())
	if err := s.Send(context.Background(), testMessage("a@example.com")); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	err := s.Send(context.Background(), testMessage("b@example.com"))
	if err == nil || mail.IsPermanent(err) {
		t.Fatalf("stale connection and server down: err = %v, want temporary", err)
	}
	if !strings.Contains(err.Error(), "connect to") {
		t.Errorf("err = %v, want the failure of the new connection", err)
	}
}

func TestSMTPSenderBadAddressIsPermanent(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, srv.URL())
	for _, to := range []string{
		"not an address", "Ana <ana@example.com>", "",
		"ana@example.com>\r\nRCPT TO:<victim@example.com", "\"ana\r\nRCPT TO:<victim@example.com>\"@example.com",
		"ana@example.com\nDATA", "ana\x00@example.com", "\"ana\x00\"@example.com",
	} {
		if err := s.Send(context.Background(), testMessage(to)); !mail.IsPermanent(err) {
			t.Errorf("To %q: err = %v, want permanent", to, err)
		}
	}
}

func TestSMTPSenderHonoursCancelledContext(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, srv.URL())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Send(ctx, testMessage("ana@example.com"))
	if err == nil || mail.IsPermanent(err) {
		t.Fatalf("cancelled context: err = %v, want temporary", err)
	}
}

func TestNewSMTPSenderRejectsBadURLs(t *testing.T) {
	for _, url := range []string{
		"http://mail.example",
		"smtp://",
		"smtp://mail.example:0",
		"smtp://mail.example:70000",
		"smtp://mail.example/path",
		"smtps://mail.example?starttls=required",
		"smtp://mail.example?starttls=maybe",
		"smtp://mail.example?auth=cram",
		"smtp://mail.example?auth=plain",
		"smtp://mail.example?timeout=soon",
		"smtp://mail.example?timeout=-1s",
		"smtp://mail.example?insecure_skip_verify=perhaps",
		"smtp://mail.example?tls=1",
		"smtp://mail.example?helo=",
		"smtp://mail.example?helo=two%20words",
		"smtp://mail.example?helo=a%0D%0AMAIL%20FROM:x",
		"smtp://mail.example?helo=Mail.Example",
		"smtp://u:hunter2@mail.example?nope=1",
		"smtp://u:hunter2@mail.example:port",
	} {
		_, err := mail.NewSMTPSender(url)
		if err == nil {
			t.Errorf("%s: accepted", url)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: error shows the password: %v", url, err)
		}
	}
}

func TestSMTPSenderStringRedactsPassword(t *testing.T) {
	s, err := mail.NewSMTPSender("smtp://u:hunter2@mail.example:587?starttls=required")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); strings.Contains(got, "hunter2") || !strings.Contains(got, "mail.example:587") {
		t.Errorf("String() = %q", got)
	}
}
