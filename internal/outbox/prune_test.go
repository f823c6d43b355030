package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/outbox"
	"github.com/storekeep/storekeep/internal/store/sqlite"
)

// pruneSpy records the cutoffs the worker prunes with.
type pruneSpy struct {
	*sqlite.Store
	mu      sync.Mutex
	cutoffs []time.Time
	audit   []auditPrune
}

type auditPrune struct {
	cutoff  time.Time
	limit   int
	deleted int
}

func (s *pruneSpy) PruneAudit(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	n, err := s.Store.PruneAudit(ctx, cutoff, limit)
	s.mu.Lock()
	s.audit = append(s.audit, auditPrune{cutoff, limit, n})
	s.mu.Unlock()
	return n, err
}

func (s *pruneSpy) auditCalls() []auditPrune {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]auditPrune(nil), s.audit...)
}

func (s *pruneSpy) PruneMail(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	s.mu.Lock()
	s.cutoffs = append(s.cutoffs, cutoff)
	s.mu.Unlock()
	return s.Store.PruneMail(ctx, cutoff, limit)
}

func (s *pruneSpy) calls() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.cutoffs...)
}

type senderFunc func(context.Context, mail.Message) error

func (f senderFunc) Send(ctx context.Context, m mail.Message) error { return f(ctx, m) }

func TestWorkerPrunesMailOlderThanTheRetentionPeriodically(t *testing.T) {
	f := newFixture(t)
	sent := f.enqueue("a@example.com", storekeep.TemplateReset, "en")
	f.enqueue("b@example.com", storekeep.TemplateReset, "en")
	if err := f.worker(f.smtpSender(), outbox.Config{}).Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	waiting := f.enqueue("c@example.com", storekeep.TemplateReset, "en")

	later := time.Now().Add(49 * time.Hour)
	spy := &pruneSpy{Store: f.store}
	r, err := mail.NewRenderer("")
	if err != nil {
		t.Fatal(err)
	}
	down := senderFunc(func(context.Context, mail.Message) error { return errors.New("smtp is down") })
	w := outbox.New(spy, f.store, r, down, outbox.Config{
		From: "no-reply@shop.example", Now: func() time.Time { return later },
		Retention: 48 * time.Hour, PruneInterval: 10 * time.Millisecond, BackoffBase: time.Hour, BackoffMax: time.Hour,
		Logger: slog.New(slog.NewTextHandler(f.logs, nil)),
	})
	run(t, w)
	eventually(t, "three prune passes", func() bool { return len(spy.calls()) >= 3 })
	for i, c := range spy.calls() {
		if want := later.Add(-48 * time.Hour); !c.Equal(want) {
			t.Errorf("prune %d: cutoff %s, want %s", i, c, want)
		}
	}
	left, err := f.store.ListMail(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].ID != waiting.ID || left[0].Status != storekeep.MailPending {
		t.Errorf("outbox after pruning: %+v, want only the pending mail %d (sent mail %d pruned)", left, waiting.ID, sent.ID)
	}
}

func TestWorkerPrunesAuditEventsOlderThanTheRetentionInBatches(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	record := func(count int, at time.Time) {
		for range count {
			if err := f.store.RecordAudit(ctx, storekeep.AuditEvent{ShopID: f.shop.ID, Kind: storekeep.AuditLoginFailed, IP: "192.0.2.1", At: at}); err != nil {
				t.Fatal(err)
			}
		}
	}
	record(25, now.Add(-outbox.DefaultAuditRetention-time.Hour))
	record(3, now.Add(-outbox.DefaultAuditRetention+time.Hour))
	spy := &pruneSpy{Store: f.store}
	r, err := mail.NewRenderer("")
	if err != nil {
		t.Fatal(err)
	}
	w := outbox.New(spy, f.store, r, f.smtpSender(), outbox.Config{
		From: "no-reply@shop.example", Now: func() time.Time { return now },
		PruneBatch: 10, Logger: slog.New(slog.NewTextHandler(f.logs, nil)),
	})
	run(t, w)
	eventually(t, "a prune pass to end", func() bool {
		calls := spy.auditCalls()
		return len(calls) > 0 && calls[len(calls)-1].deleted < 10
	})
	calls := spy.auditCalls()
	if len(calls) != 3 {
		t.Errorf("%d prune statements for 25 old events in batches of 10: %+v, want 3", len(calls), calls)
	}
	for _, c := range calls {
		if c.limit != 10 || !c.cutoff.Equal(now.Add(-outbox.DefaultAuditRetention)) {
			t.Errorf("prune statement %+v: want limit 10 and cutoff %s", c, now.Add(-outbox.DefaultAuditRetention))
		}
	}
	left, err := f.store.AuditEvents(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 3 {
		t.Errorf("%d audit events left, want the 3 within the retention", len(left))
	}
}

func TestWorkerPrunesTokensExpiredLongerThanTheGraceInBatches(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	c, err := f.store.CreateCustomer(ctx, storekeep.Customer{ShopID: f.shop.ID, Email: "ada@example.com",
		EmailKey: "ada@example.com", State: storekeep.CustomerEnabled, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	grace := 24 * time.Hour
	token := func(i int, expires time.Time) storekeep.AccessToken {
		tok, err := f.store.CreateAccessToken(ctx, storekeep.AccessToken{ShopID: f.shop.ID, CustomerID: c.ID,
			Hash: []byte(fmt.Sprintf("token %02d", i)), ExpiresAt: expires, CreatedAt: now.Add(-60 * 24 * time.Hour)}, "")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	for i := range 25 {
		token(i, now.Add(-grace-time.Minute))
	}
	late := token(99, now.Add(-grace+time.Minute))
	r, err := mail.NewRenderer("")
	if err != nil {
		t.Fatal(err)
	}
	w := outbox.New(f.store, f.store, r, f.smtpSender(), outbox.Config{
		From: "no-reply@shop.example", Now: func() time.Time { return now }, TokenGrace: grace,
		PruneBatch: 10, Logger: slog.New(slog.NewTextHandler(f.logs, nil)),
	})
	run(t, w)
	eventually(t, "the expired tokens to be pruned", func() bool {
		return strings.Contains(f.logs.String(), "pruned expired tokens")
	})
	if !strings.Contains(f.logs.String(), "deleted=25") {
		t.Errorf("prune log %q: want 25 deleted", f.logs.String())
	}
	n, err := f.store.PruneTokens(ctx, now.Add(-grace+2*time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d tokens left expired before %s, want only token %d, within the grace", n, now.Add(-grace+2*time.Minute), late.ID)
	}
}
