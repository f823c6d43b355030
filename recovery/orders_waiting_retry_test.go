package recovery_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/recovery"
)

// failIssueOnce is the real store, but its first IssueCustomerToken fails
// as a dropped connection or a statement timeout would, writing nothing.
type failIssueOnce struct {
	recovery.Store
	failed bool
}

func (s *failIssueOnce) IssueCustomerToken(ctx context.Context, t storekeep.CustomerToken, m storekeep.Mail, a storekeep.AuditEvent, job int64) error {
	if !s.failed {
		s.failed = true
		return errors.New("connection reset by peer")
	}
	return s.Store.IssueCustomerToken(ctx, t, m, a, job)
}

// An orders_waiting job whose first run fails before anything is written
// is left to the outbox, which runs it again: the retry must send the mail
// the first attempt did not. The first attempt's ask of the per-address
// allowance (1 per 6 hours) sent nothing, so the retry must not find the
// allowance spent and drop the job as done.
func TestAnOrdersWaitingJobRetriedAfterAFailureStillMails(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationPrivate, recovery.Config{})
	f.guestOrder(1, "buyer@example.com")
	f.customer("buyer@example.com", storekeep.CustomerEnabled)
	deps := f.deps
	deps.Store = &failIssueOnce{Store: f.store}
	svc := recovery.New(deps, f.cfg)
	job := storekeep.Job{ShopID: f.shop.ID, Kind: storekeep.JobOrdersWaiting, Locale: "en", CreatedAt: f.now,
		Recover: storekeep.RecoverRequest{Email: "buyer@example.com", IP: "192.0.2.9"}}
	if _, err := f.store.EnqueueJob(f.ctx, job); err != nil {
		t.Fatal(err)
	}
	jobs := f.claim().Jobs
	if len(jobs) != 1 {
		t.Fatalf("claimed %d jobs", len(jobs))
	}
	if _, err := svc.ProcessOrdersWaiting(f.ctx, jobs[0]); err == nil {
		t.Fatal("the first run did not fail")
	}
	// The outbox runs the job again once its lease is over.
	f.now = f.now.Add(5 * time.Minute)
	claimed := f.claim()
	if len(claimed.Jobs) != 1 {
		t.Fatalf("the failed job was not claimable again: %d jobs", len(claimed.Jobs))
	}
	done, err := svc.ProcessOrdersWaiting(f.ctx, claimed.Jobs[0])
	if err != nil {
		t.Fatal(err)
	}
	mails := f.claim().Mail
	if len(mails) != 1 || mails[0].Template != storekeep.TemplateOrdersWaiting {
		t.Errorf("the retried job (done %v) queued %+v; want the orders_waiting mail the failed run did not send", done, mails)
	}
}
