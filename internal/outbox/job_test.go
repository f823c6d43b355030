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

// TestJobBatchesAreWokenSoonAndTheirMailIsSentWithoutAClaim shows that
// KickSoon wakes a worker that would not poll for an hour, that the jobs of
// a kind with a JobBatch go to it together, and that the leased mail it
// returns reaches the SMTP server and is recorded as sent, though no claim
// could have taken it within its lease.
func TestJobBatchesAreWokenSoonAndTheirMailIsSentWithoutAClaim(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var mu sync.Mutex
	ran := 0
	batch := f.mailingBatch(func(jobs []storekeep.Job) {
		mu.Lock()
		ran += len(jobs)
		mu.Unlock()
	}, nil)
	w := f.worker(f.smtpSender(), outbox.Config{PollInterval: time.Hour,
		Batches: map[storekeep.JobKind]outbox.JobBatch{storekeep.JobRecover: batch}})
	run(t, w)
	addrs := []string{"ana@example.com", "bo@example.com", "cy@example.com"}
	for _, a := range addrs {
		if _, err := f.store.EnqueueJob(ctx, storekeep.Job{ShopID: f.shop.ID, Kind: storekeep.JobRecover,
			CreatedAt: time.Now(), Recover: storekeep.RecoverRequest{Email: a}}); err != nil {
			t.Fatal(err)
		}
		w.KickSoon()
	}
	got := f.smtp.WaitFor(t, len(addrs), wait)
	// A mail is counted once its sender has seen it recorded, which may
	// be after the store shows it.
	eventually(t, "the outbox to empty and its mail counted", func() bool {
		return f.pending() == 0 && w.Metrics().Sent.Load() >= int64(len(addrs))
	})
	mu.Lock()
	defer mu.Unlock()
	if ran != len(addrs) || len(got) != len(addrs) || w.Metrics().Sent.Load() != int64(len(addrs)) {
		t.Fatalf("%d jobs ran, %d mails arrived, %d counted sent; want %d each", ran, len(got), w.Metrics().Sent.Load(), len(addrs))
	}
}

// TestAClaimsJobsRunInBatchesOfAtMostJobBatch shows that the jobs one
// claim takes are split into batches of at most JobBatch, every job run
// once.
func TestAClaimsJobsRunInBatchesOfAtMostJobBatch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const jobs, most = 10, 4
	for range jobs {
		if _, err := f.store.EnqueueJob(ctx, storekeep.Job{ShopID: f.shop.ID, Kind: storekeep.JobRecover,
			CreatedAt: time.Now(), Recover: storekeep.RecoverRequest{Email: "ana@example.com"}}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var sizes []int
	batch := func(ctx context.Context, js []storekeep.Job, _ time.Time) ([]storekeep.Mail, error) {
		mu.Lock()
		sizes = append(sizes, len(js))
		mu.Unlock()
		ids := make([]int64, len(js))
		for i, j := range js {
			ids[i] = j.ID
		}
		_, err := f.store.MarkMailsSent(ctx, ids, time.Now())
		return nil, err
	}
	w := f.worker(f.smtpSender(), outbox.Config{PollInterval: time.Hour, JobBatch: most,
		Batches: map[storekeep.JobKind]outbox.JobBatch{storekeep.JobRecover: batch}})
	run(t, w)
	eventually(t, "the jobs to run", func() bool { return f.pending() == 0 })
	mu.Lock()
	defer mu.Unlock()
	total := 0
	for _, n := range sizes {
		total += n
		if n > most {
			t.Errorf("a batch of %d jobs ran, over JobBatch %d", n, most)
		}
	}
	if total != jobs || len(sizes) != 3 {
		t.Errorf("batches %v, want %d jobs in 3 batches", sizes, jobs)
	}
}

// mailingBatch is a JobBatch of recover jobs that finishes each job with
// a reset token and a mail to its customer, created by customer (which
// creates them one by one when nil), calling saw with each batch first.
func (f *fixture) mailingBatch(saw func(jobs []storekeep.Job), customers map[string]storekeep.Customer) outbox.JobBatch {
	return func(ctx context.Context, jobs []storekeep.Job, leaseUntil time.Time) ([]storekeep.Mail, error) {
		saw(jobs)
		var outcomes []storekeep.JobOutcome
		for _, j := range jobs {
			c, ok := customers[j.Recover.Email]
			if !ok {
				var err error
				if c, err = f.createCustomer(ctx, j.Recover.Email); err != nil {
					return nil, err
				}
			}
			m := f.mailTo(j.Recover.Email)
			outcomes = append(outcomes, storekeep.JobOutcome{Job: j.ID, Mail: m,
				Audit: storekeep.AuditEvent{ShopID: f.shop.ID, Kind: storekeep.AuditRecoverRequested, At: time.Now()},
				Token: &storekeep.CustomerToken{ShopID: f.shop.ID, CustomerID: c.ID, Purpose: storekeep.PurposeReset,
					Hash: []byte("hash of " + j.Recover.Email), ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now()}})
		}
		return f.store.FinishJobs(ctx, outcomes, leaseUntil)
	}
}

// createCustomer creates an enabled customer of f's shop at email.
func (f *fixture) createCustomer(ctx context.Context, email string) (storekeep.Customer, error) {
	return f.store.CreateCustomer(ctx, storekeep.Customer{ShopID: f.shop.ID, Email: email, EmailKey: email,
		State: storekeep.CustomerEnabled, CreatedAt: time.Now()})
}
