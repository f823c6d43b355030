package outbox_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
	"github.com/storekeep/storekeep/internal/outbox"
	"github.com/storekeep/storekeep/internal/store/sqlite"
	"github.com/storekeep/storekeep/internal/store/sqlite/sqlitetest"
)

const wait = 10 * time.Second

type fixture struct {
	t     *testing.T
	store *sqlite.Store
	shop  storekeep.Shop
	smtp  *smtptest.Server
	logs  *syncBuffer
}

func newFixture(t *testing.T, opts ...smtptest.Option) *fixture {
	t.Helper()
	ctx := context.Background()
	store, _ := sqlitetest.Open(t)
	shop, err := store.CreateShop(ctx, storekeep.Shop{
		Domain: "shop.example", Name: "Bob's Shop", StorefrontURL: "https://shop.example",
		Enumeration: storekeep.EnumerationPrivate,
	}, storekeep.ShopSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, store: store, shop: shop, smtp: smtptest.Start(t, opts...), logs: &syncBuffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("worker log:\n%s", f.logs.String())
		}
	})
	return f
}

// enqueue queues a reset mail to to and returns it with its ID.
func (f *fixture) enqueue(to string, tmpl storekeep.Template, locale string) storekeep.Mail {
	f.t.Helper()
	m := f.mailTo(to)
	m.Template, m.Locale = tmpl, locale
	id, err := f.store.EnqueueMail(context.Background(), m)
	if err != nil {
		f.t.Fatal(err)
	}
	m.ID = id
	return m
}

// mailTo is a reset mail to to in English.
func (f *fixture) mailTo(to string) storekeep.Mail {
	token := "tok" + strings.NewReplacer("@", "", ".", "").Replace(to)
	return storekeep.Mail{
		ShopID:    f.shop.ID,
		To:        to,
		Template:  storekeep.TemplateReset,
		Locale:    "en",
		MessageID: fmt.Sprintf("<%s.%d@shop.example>", token, time.Now().UnixNano()),
		Data: storekeep.MailData{
			URL:          "https://shop.example/account/reset/1/" + token,
			FirstName:    "Ana",
			Email:        to,
			ExpiresHours: "24",
		},
	}
}

func (f *fixture) smtpSender() mail.Sender {
	f.t.Helper()
	s, err := mail.NewSMTPSender(f.smtp.URL())
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { s.Close() })
	return s
}

func (f *fixture) worker(sender mail.Sender, cfg outbox.Config) *outbox.Worker {
	f.t.Helper()
	return f.workerOver(f.store, sender, cfg)
}

// workerOver is a worker over store, which holds f's shop.
func (f *fixture) workerOver(store outbox.Store, sender mail.Sender, cfg outbox.Config) *outbox.Worker {
	f.t.Helper()
	r, err := mail.NewRenderer("")
	if err != nil {
		f.t.Fatal(err)
	}
	cfg.From = "no-reply@shop.example"
	cfg.Logger = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return outbox.New(store, f.store, r, sender, cfg)
}

func (f *fixture) pending() int {
	f.t.Helper()
	n, _, err := f.store.OutboxStats(context.Background(), 1_000_000)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// run starts w.Run and returns a function that cancels it and one that
// waits for Run's result.
func run(t *testing.T, w *outbox.Worker) (cancel func(), wait func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	wait = sync.OnceValue(func() error { return <-done })
	t.Cleanup(func() {
		cancel()
		wait()
	})
	return cancel, wait
}

// eventually waits for cond, failing t after a generous timeout.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after %s for %s", wait, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var fastRetries = outbox.Config{PollInterval: 10 * time.Millisecond, BackoffBase: 5 * time.Millisecond, BackoffMax: 20 * time.Millisecond}

func TestWorkerDeliversQueuedMail(t *testing.T) {
	f := newFixture(t)
	queued := []storekeep.Mail{
		f.enqueue("ana@example.com", storekeep.TemplateReset, "en"),
		f.enqueue("zoe@example.com", storekeep.TemplateReset, "fr-CA"),
		f.enqueue("pia@example.com", storekeep.TemplateActivation, "en"),
	}
	w := f.worker(f.smtpSender(), outbox.Config{})
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := f.smtp.WaitFor(t, len(queued), wait)
	for _, m := range queued {
		var r *smtptest.Received
		for i := range got {
			if got[i].To == m.To {
				r = &got[i]
			}
		}
		if r == nil {
			t.Errorf("nothing delivered to %s", m.To)
			continue
		}
		if r.MessageID != strings.Trim(m.MessageID, "<>") {
			t.Errorf("%s: Message-ID %q, want the queued %q", m.To, r.MessageID, m.MessageID)
		}
		if !strings.Contains(r.Text, m.Data.URL) || !strings.Contains(r.HTML, m.Data.URL) {
			t.Errorf("%s: link missing from a part", m.To)
		}
		if !strings.Contains(r.Subject, "Bob's Shop") {
			t.Errorf("%s: subject %q", m.To, r.Subject)
		}
	}
	if fr := f.smtp.WaitForMatch(t, func(r smtptest.Received) bool { return r.To == "zoe@example.com" }, 1, wait)[0]; !strings.Contains(fr.Text, "Bonjour") {
		t.Errorf("fr-CA mail not in French: %q", fr.Text)
	}
	if n := f.pending(); n != 0 {
		t.Errorf("%d mails still pending", n)
	}
	if n := w.Metrics().Sent.Load(); n != 3 {
		t.Errorf("Sent = %d, want 3", n)
	}
}

func TestWorkerLogsAMailSentAtDebugLevelOnly(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo} {
		f := newFixture(t)
		m := f.enqueue("ana@example.com", storekeep.TemplateReset, "en")
		var logs syncBuffer
		cfg := outbox.Config{From: "no-reply@shop.example",
			Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: level}))}
		r, err := mail.NewRenderer("")
		if err != nil {
			t.Fatal(err)
		}
		w := outbox.New(f.store, f.store, r, f.smtpSender(), cfg)
		if err := w.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.smtp.WaitFor(t, 1, wait)
		line := fmt.Sprintf("level=DEBUG msg=\"outbox: mail sent\" mail_id=%d shop_id=%d template=customer_reset attempt=1", m.ID, m.ShopID)
		switch got := logs.String(); {
		case level == slog.LevelDebug && !strings.Contains(got, line):
			t.Errorf("debug log %q, want a line %q", got, line)
		case level == slog.LevelInfo && got != "":
			t.Errorf("info log %q, want nothing for a mail sent", got)
		}
	}
}

func TestWorkerRetriesWhileSMTPIsDownThenDelivers(t *testing.T) {
	f := newFixture(t)
	f.smtp.Stop()
	m := f.enqueue("ana@example.com", storekeep.TemplateReset, "en")
	w := f.worker(f.smtpSender(), fastRetries)
	run(t, w)
	eventually(t, "two failed attempts", func() bool { return w.Metrics().Retried.Load() >= 2 })
	f.smtp.Restart(t)
	got := f.smtp.WaitFor(t, 1, wait)
	eventually(t, "the mail to be marked sent", func() bool { return f.pending() == 0 })
	if got[0].MessageID != strings.Trim(m.MessageID, "<>") {
		t.Errorf("Message-ID %q, want %q", got[0].MessageID, m.MessageID)
	}
	if n := w.Metrics().Failed.Load(); n != 0 {
		t.Errorf("Failed = %d", n)
	}
	if logs := f.logs.String(); strings.Contains(logs, m.Data.URL) || strings.Contains(logs, "tokanaexamplecom") {
		t.Errorf("logs show the reset link:\n%s", logs)
	}
}

func TestWorkerPermanentFailureDoesNotBlockOthers(t *testing.T) {
	f := newFixture(t, smtptest.RejectRecipient("gone@example.com"))
	f.enqueue("a@example.com", storekeep.TemplateReset, "en")
	f.enqueue("gone@example.com", storekeep.TemplateReset, "en")
	f.enqueue("b@example.com", storekeep.TemplateReset, "en")
	f.enqueue("c@example.com", storekeep.TemplateReset, "en")
	w := f.worker(f.smtpSender(), outbox.Config{})
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := f.smtp.WaitFor(t, 3, wait)
	for _, r := range got {
		if r.To == "gone@example.com" {
			t.Error("rejected recipient got mail")
		}
	}
	met := w.Metrics()
	if met.Sent.Load() != 3 || met.Failed.Load() != 1 || met.Retried.Load() != 0 {
		t.Errorf("sent %d, failed %d, retried %d; want 3, 1, 0", met.Sent.Load(), met.Failed.Load(), met.Retried.Load())
	}
	if n := f.pending(); n != 0 {
		t.Errorf("%d mails still pending", n)
	}
}

func TestWorkerGivesUpAfterMaxAttempts(t *testing.T) {
	f := newFixture(t, smtptest.DeferRecipient("busy@example.com"))
	f.enqueue("busy@example.com", storekeep.TemplateReset, "en")
	cfg := fastRetries
	cfg.MaxAttempts = 3
	w := f.worker(f.smtpSender(), cfg)
	run(t, w)
	eventually(t, "the mail to be given up", func() bool { return w.Metrics().Failed.Load() == 1 })
	if n := w.Metrics().Retried.Load(); n != 2 {
		t.Errorf("Retried = %d, want 2", n)
	}
	if n := f.pending(); n != 0 {
		t.Errorf("%d mails still pending", n)
	}
	if n := len(f.smtp.Messages()); n != 0 {
		t.Errorf("%d messages delivered", n)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "level=WARN msg=\"outbox: mail abandoned") || !strings.Contains(logs, "abandoned_total=1") {
		t.Errorf("no WARN line counting the abandoned mail:\n%s", logs)
	}
}

func TestWorkerKickDeliversAtOnce(t *testing.T) {
	f := newFixture(t)
	f.enqueue("a@example.com", storekeep.TemplateReset, "en")
	w := f.worker(f.smtpSender(), outbox.Config{PollInterval: time.Hour})
	run(t, w)
	f.smtp.WaitFor(t, 1, wait)
	f.enqueue("b@example.com", storekeep.TemplateReset, "en")
	w.Kick()
	w.Kick()
	f.smtp.WaitForMatch(t, func(r smtptest.Received) bool { return r.To == "b@example.com" }, 1, wait)
}

func TestWorkerRunFinishesSendsUnderWayOnCancel(t *testing.T) {
	f := newFixture(t)
	gate := newGate(f.smtpSender())
	w := f.worker(gate, outbox.Config{PollInterval: time.Hour})
	cancel, wait := run(t, w)
	f.enqueue("a@example.com", storekeep.TemplateReset, "en")
	w.Kick()
	<-gate.started
	cancel()
	close(gate.release)
	if err := wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := len(f.smtp.Messages()); n != 1 {
		t.Errorf("Run returned with %d messages delivered, want the one under way", n)
	}
	if n := f.pending(); n != 0 {
		t.Errorf("Run returned with %d mails pending", n)
	}
}

func TestWorkerRunReleasesSendsAfterDrainTimeout(t *testing.T) {
	f := newFixture(t)
	gate := newGate(f.smtpSender())
	w := f.worker(gate, outbox.Config{PollInterval: time.Hour, DrainTimeout: 50 * time.Millisecond})
	cancel, wait := run(t, w)
	m := f.enqueue("a@example.com", storekeep.TemplateReset, "en")
	w.Kick()
	<-gate.started
	cancel()
	if err := wait(); err == nil {
		t.Error("Run gave up sends under way and returned no error")
	}
	batch, err := f.store.Claim(context.Background(), time.Now(), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	again := batch.Mail
	if len(again) != 1 || again[0].ID != m.ID {
		t.Fatalf("claimable after drain: %+v, want mail %d released", again, m.ID)
	}
	met := w.Metrics()
	if met.Sent.Load()+met.Failed.Load()+met.Retried.Load() != 0 {
		t.Error("an interrupted send was counted")
	}
}

func TestWorkerDeliversToDevMailbox(t *testing.T) {
	f := newFixture(t)
	m := f.enqueue("Ana@Example.com", storekeep.TemplateReset, "en")
	w := f.worker(mail.NewMailboxSender(f.store, nil), outbox.Config{})
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.MailboxMessages(context.Background(), "ana@example.com", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d messages in the mailbox", len(got))
	}
	msg := got[0]
	if msg.ShopID != f.shop.ID || msg.MessageID != strings.Trim(m.MessageID, "<>") || msg.From != "Bob's Shop <no-reply@shop.example>" {
		t.Errorf("shop %d, Message-ID %q, from %q", msg.ShopID, msg.MessageID, msg.From)
	}
	if !strings.Contains(msg.Text, m.Data.URL) || !strings.Contains(msg.HTML, m.Data.URL) || msg.Subject == "" {
		t.Errorf("mailbox message lacks subject or link: %+v", msg)
	}
	if n := f.pending(); n != 0 {
		t.Errorf("%d mails still pending", n)
	}
}

// gate holds every send until release is closed or the send's context
// ends, then passes it on.
type gate struct {
	next    mail.Sender
	started chan struct{}
	release chan struct{}
}

func newGate(next mail.Sender) *gate {
	return &gate{next: next, started: make(chan struct{}, 16), release: make(chan struct{})}
}

func (g *gate) Send(ctx context.Context, m mail.Message) error {
	g.started <- struct{}{}
	select {
	case <-g.release:
		return g.next.Send(ctx, m)
	case <-ctx.Done():
		return ctx.Err()
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
