package recovery_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/outbox"
	"github.com/storekeep/storekeep/recovery"
)

// TestPrivateRecoverHandsItsJobToTheNodesWorker runs the service with an
// outbox worker that takes its jobs: a private-mode recover queues its
// job leased to the worker, so no claim takes it, the worker runs it (here
// as it stops) and delivers the reset mail, and a recover whose job
// cannot be queued gives its place in the worker back.
func TestPrivateRecoverHandsItsJobToTheNodesWorker(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationPrivate, recovery.Config{})
	c := f.customer("ada@example.com", storekeep.CustomerEnabled)
	renderer, err := mail.NewRenderer("")
	if err != nil {
		t.Fatal(err)
	}
	var svc *recovery.Service
	w := outbox.New(f.store, f.store, renderer, mail.NewMailboxSender(f.store, nil), outbox.Config{
		PollInterval: time.Hour, WakeDelay: time.Hour, Batch: 4, Now: func() time.Time { return f.now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Batches: map[storekeep.JobKind]outbox.JobBatch{storekeep.JobRecover: func(ctx context.Context, jobs []storekeep.Job, until time.Time) ([]storekeep.Mail, error) {
			return svc.ProcessRecoverRequests(ctx, jobs, until)
		}},
	})
	deps := f.deps
	deps.Handoff = w
	svc = recovery.New(deps, f.cfg)
	ctx, stop := context.WithCancel(f.ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok := w.Reserve(storekeep.JobRecover); ok {
			w.Unreserve()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the worker never took a job")
		}
		time.Sleep(5 * time.Millisecond)
	}

	gone := f.shop
	gone.ID += 1000
	for range 4 {
		if err := svc.Recover(f.ctx, gone, "ada@example.com", caller); err == nil {
			t.Fatal("a recover for a shop that does not exist queued its job")
		}
	}
	if err := svc.Recover(f.ctx, f.shop, "ada@example.com", caller); err != nil {
		t.Fatalf("Recover after failed ones = %v; their places should have been given back", err)
	}
	if claimed := f.claim(); claimed.Len() != 0 {
		t.Fatalf("claimed %d rows; the job is leased to the worker that took it", claimed.Len())
	}
	pending, err := f.store.ListMail(f.ctx, storekeep.MailPending, 10)
	if err != nil || len(pending) != 1 || pending[0].Job != storekeep.JobRecover || pending[0].Attempts != 1 {
		t.Fatalf("pending rows %+v, %v; want the one job, on its first attempt", pending, err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got, err := f.store.MailboxMessages(f.ctx, c.Email, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("mailbox of %s: %d messages, %v; want the reset mail", c.Email, len(got), err)
	}
	if n, _, err := f.store.OutboxStats(f.ctx, 100); err != nil || n != 0 {
		t.Fatalf("%d rows still pending, %v", n, err)
	}
}
