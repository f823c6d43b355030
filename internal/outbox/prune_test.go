package outbox_test

import (
	"context"
	"errors"
	"log/slog"
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
}

func (s *pruneSpy) PruneMail(ctx context.Context, cutoff time.Time) (int, error) {
	s.mu.Lock()
	s.cutoffs = append(s.cutoffs, cutoff)
	s.mu.Unlock()
	return s.Store.PruneMail(ctx, cutoff)
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
