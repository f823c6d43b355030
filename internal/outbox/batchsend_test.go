package outbox_test

import (
	"context"
	"fmt"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/outbox"
)

// goroutinesCreated is how many goroutines the process has started.
func goroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestABatchSendsItsMailWithoutAGoroutineAMail shows that the mail a batch
// of jobs makes is rendered and sent by the batch's own goroutine, its
// sender spreading it over a few of its connections, rather than by one
// goroutine a mail each waiting for a connection; and that every mail is
// delivered, recorded sent and counted.
func TestABatchSendsItsMailWithoutAGoroutineAMail(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pool, err := mail.NewSMTPPool(f.smtp.URL(), 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	const jobs = 128
	customers := map[string]storekeep.Customer{}
	for i := range jobs {
		email := fmt.Sprintf("c%02d@example.com", i)
		c, err := f.createCustomer(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		customers[email] = c
		if _, err := f.store.EnqueueJob(ctx, storekeep.Job{ShopID: f.shop.ID, Kind: storekeep.JobRecover,
			CreatedAt: time.Now(), Recover: storekeep.RecoverRequest{Email: email}}); err != nil {
			t.Fatal(err)
		}
	}
	w := f.worker(pool, outbox.Config{PollInterval: time.Hour, JobBatch: jobs, WakeDelay: 50 * time.Millisecond,
		Batches: map[storekeep.JobKind]outbox.JobBatch{storekeep.JobRecover: f.mailingBatch(func([]storekeep.Job) {}, customers)}})
	run(t, w)
	before := goroutinesCreated()
	w.KickSoon()
	got := f.smtp.WaitFor(t, jobs, wait)
	eventually(t, "the outbox to empty and its mail counted", func() bool {
		return f.pending() == 0 && w.Metrics().Sent.Load() == jobs
	})
	// The test's SMTP server (go-smtp) starts a goroutine for each
	// message it reads; those are not the worker's.
	started := goroutinesCreated() - before - jobs
	if len(got) != jobs {
		t.Fatalf("%d mails arrived, want %d", len(got), jobs)
	}
	if started >= jobs/2 {
		t.Errorf("%d goroutines started besides the SMTP server's to send a batch's %d mails over 4 connections; "+
			"want a few for the batch's transactions and parts, not one a mail", started, jobs)
	}
}
