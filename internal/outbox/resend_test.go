package outbox_test

import (
	"context"
	"errors"
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

// forgetfulStore loses the first record of each mail's delivery, as a node
// does when it dies between sending and recording.
type forgetfulStore struct {
	*sqlite.Store
	mu     sync.Mutex
	forgot map[int64]bool
}

func (s *forgetfulStore) MarkMailsSent(ctx context.Context, ids []int64, now time.Time) (int, error) {
	s.mu.Lock()
	first := false
	for _, id := range ids {
		first = first || !s.forgot[id]
		s.forgot[id] = true
	}
	s.mu.Unlock()
	if first {
		return 0, errors.New("database went away")
	}
	return s.Store.MarkMailsSent(ctx, ids, now)
}

func TestWorkerResendsUnrecordedMailAsTheSameMessage(t *testing.T) {
	f := newFixture(t)
	queued := []storekeep.Mail{
		f.enqueue("a@example.com", storekeep.TemplateReset, "en"),
		f.enqueue("b@example.com", storekeep.TemplateActivation, "fr"),
	}
	r, err := mail.NewRenderer("")
	if err != nil {
		t.Fatal(err)
	}
	store := &forgetfulStore{Store: f.store, forgot: map[int64]bool{}}
	w := outbox.New(store, f.store, r, f.smtpSender(), outbox.Config{
		From: "no-reply@shop.example", PollInterval: 20 * time.Millisecond, Lease: 2 * time.Second,
		Logger: slog.New(slog.NewTextHandler(f.logs, nil)),
	})
	run(t, w)
	got := f.smtp.WaitFor(t, 2*len(queued), wait)
	eventually(t, "the resent mail to be recorded", func() bool { return f.pending() == 0 })
	for _, m := range queued {
		var ids []string
		for _, r := range got {
			if r.To == m.To {
				ids = append(ids, r.MessageID)
			}
		}
		want := strings.Trim(m.MessageID, "<>")
		if len(ids) != 2 || ids[0] != want || ids[1] != want {
			t.Errorf("%s received Message-IDs %q, want %q twice", m.To, ids, want)
		}
	}
}
