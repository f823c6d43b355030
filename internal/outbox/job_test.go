package outbox_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/outbox"
)

// TestJobRowsRunTheirJobAndAreRetried shows that a queued job is handed to
// the Job of its kind, not rendered or sent; that a failing job is tried
// again; that a job which records itself is not recorded twice; and that
// jobs are not counted as mail.
func TestJobRowsRunTheirJobAndAreRetried(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	var seen []string
	calls := 0
	job := func(ctx context.Context, j storekeep.Job) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		if j.Recover.Email == "self@example.com" {
			_, err := f.store.MarkMailsSent(ctx, []int64{j.ID}, time.Now())
			return true, err
		}
		calls++
		if calls == 1 {
			return false, errors.New("database briefly away")
		}
		seen = append(seen, j.Recover.Email+" "+j.Recover.IP)
		return false, nil
	}
	ctx := context.Background()
	_, err := f.store.EnqueueJob(ctx, storekeep.Job{
		ShopID: f.shop.ID, Kind: storekeep.JobRecover,
		Recover: storekeep.RecoverRequest{Email: "ana@example.com", IP: "203.0.113.9"},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.store.EnqueueJob(ctx, storekeep.Job{ShopID: f.shop.ID, Kind: storekeep.JobRecover,
		Recover: storekeep.RecoverRequest{Email: "self@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	f.enqueue("bo@example.com", storekeep.TemplateReset, "en")

	clock := time.Now()
	w := f.worker(f.smtpSender(), outbox.Config{
		Jobs:        map[storekeep.JobKind]outbox.Job{storekeep.JobRecover: job},
		BackoffBase: time.Millisecond, BackoffMax: time.Millisecond,
		Now: func() time.Time { return clock },
	})
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Second)
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 2 || len(seen) != 1 || seen[0] != "ana@example.com 203.0.113.9" {
		t.Fatalf("job calls %d, finished %q; want one failure then one success", calls, seen)
	}
	got := f.smtp.WaitFor(t, 1, wait)
	if len(got) != 1 || got[0].To != "bo@example.com" {
		t.Fatalf("SMTP received %+v; want only the reset mail to bo@example.com", got)
	}
	if n := f.pending(); n != 0 {
		t.Fatalf("%d rows still pending", n)
	}
	if logs := f.logs.String(); strings.Contains(logs, "no longer pending") || strings.Contains(logs, "record outcome") {
		t.Fatalf("a row was recorded twice or not at all:\n%s", logs)
	}
	m := w.Metrics()
	if m.Sent.Load() != 1 || m.Retried.Load() != 1 {
		t.Fatalf("metrics sent=%d retried=%d; want 1 and 1 (the job's success is not a mail)", m.Sent.Load(), m.Retried.Load())
	}
}
