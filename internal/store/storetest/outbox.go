package storetest

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/storekeep/storekeep"
)

// enqueue queues n mails to c, the i-th created at t0+i seconds, and
// returns them with their IDs.
func (f fixture) enqueue(c storekeep.Customer, n int) []storekeep.Mail {
	f.Helper()
	var mails []storekeep.Mail
	for i := range n {
		m := f.mail(c, storekeep.TemplateReset, f.token())
		m.CreatedAt = t0.Add(time.Duration(i) * time.Second)
		id, err := f.s.EnqueueMail(f.ctx, m)
		f.must(err)
		if id <= 0 {
			f.Fatalf("EnqueueMail ID = %d", id)
		}
		m.ID = id
		mails = append(mails, m)
	}
	return mails
}

// claim claims due rows and returns the mail among them.
func (f fixture) claim(now time.Time, lease time.Duration, limit int) []storekeep.Mail {
	f.Helper()
	claimed, err := f.s.Claim(f.ctx, now, lease, limit)
	f.must(err)
	return claimed.Mail
}

func ids(mails []storekeep.Mail) []int64 {
	var list []int64
	for _, m := range mails {
		list = append(list, m.ID)
	}
	slices.Sort(list)
	return list
}

var outboxRules = []rule{
	{"OldestDueIsTheLongestWaitingUnclaimedMailOrJob", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		oldest := func(now time.Time, want time.Time, what string) {
			f.Helper()
			got, err := f.s.OldestDue(f.ctx, now)
			f.must(err)
			if !got.Equal(want) {
				f.Errorf("%s: OldestDue = %v, want %v", what, got, want)
			}
		}
		oldest(t0, time.Time{}, "empty outbox")
		f.invite(c, t0)
		oldest(t0.Add(time.Minute), time.Time{}, "an invitation alone")
		_, err := f.s.EnqueueJob(f.ctx, storekeep.Job{ShopID: c.ShopID, Kind: storekeep.JobRecover, CreatedAt: t0.Add(2 * time.Second),
			Recover: storekeep.RecoverRequest{Email: c.Email, IP: "203.0.113.9", UserAgent: "probe/1"}})
		f.must(err)
		m := f.mail(c, storekeep.TemplateReset, f.token())
		m.CreatedAt = t0.Add(5 * time.Second)
		mail, err := f.s.EnqueueMail(f.ctx, m)
		f.must(err)
		oldest(t0.Add(time.Second), time.Time{}, "nothing due yet")
		oldest(t0.Add(3*time.Second), t0.Add(2*time.Second), "the job due, the mail not yet")
		oldest(t0.Add(time.Minute), t0.Add(2*time.Second), "both due")
		if got := f.claimIDs(t0.Add(time.Minute), time.Minute, 1); !slices.Equal(got, []int64{mail}) {
			f.Fatalf("claimed %v, want the mail %d", got, mail)
		}
		oldest(t0.Add(time.Minute), t0.Add(2*time.Second), "the mail leased")
		f.claimIDs(t0.Add(time.Minute), time.Minute, 1)
		oldest(t0.Add(time.Minute), time.Time{}, "both leased")
		oldest(t0.Add(3*time.Minute), t0.Add(2*time.Second), "both leases run out")
		f.must(f.s.MarkMailRetry(f.ctx, mail, t0.Add(time.Hour), "421"))
		oldest(t0.Add(3*time.Minute), t0.Add(2*time.Second), "the mail retried later, the job's lease run out")
	}},
	{"DueMailIsClaimedBeforeDueJobs", func(f fixture) {
		s := f.shop("a.example")
		c := f.customer(s, "ada@example.com")
		job := f.job(c)
		later := f.enqueue(c, 2)
		var order []int64
		for range 3 {
			order = append(order, f.claimIDs(t0.Add(time.Minute), time.Minute, 1)...)
		}
		want := []int64{later[0].ID, later[1].ID, job}
		if !slices.Equal(order, want) {
			f.Fatalf("claimed %v, want the two mails, then the older job: %v", order, want)
		}
	}},
	{"AMixedBatchHoldsDueMailBeforeDueJobs", func(f fixture) {
		s := f.shop("a.example")
		c := f.customer(s, "ada@example.com")
		job := f.job(c)
		later := f.enqueue(c, 2)
		order := f.claimIDs(t0.Add(time.Minute), time.Minute, 10)
		want := []int64{later[0].ID, later[1].ID, job}
		if !slices.Equal(order, want) {
			f.Fatalf("one claim returned %v, want the two mails, oldest first, then the older job: %v", order, want)
		}
	}},
	{"FinishJobsWritesABatchOnceAndLeasesItsMailToTheCaller", func(f fixture) {
		s := f.shop("a.example")
		ada, bob := f.customer(s, "ada@example.com"), f.customer(s, "bob@example.com")
		older := f.issue(ada, storekeep.PurposeReset)
		for _, m := range f.claimAll(t0) {
			f.must(f.markSent(m.ID, t0))
		}
		first, second, unknown := f.job(ada), f.job(bob), f.job(ada)
		clear := f.token()
		outcomes := []storekeep.JobOutcome{
			{Job: first, Audit: f.audit(ada, storekeep.AuditRecoverRequested, t0), Mail: f.mail(ada, storekeep.TemplateReset, clear),
				Token: &storekeep.CustomerToken{ShopID: s.ID, CustomerID: ada.ID, Purpose: storekeep.PurposeReset,
					Hash: f.keys.Hash(clear), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}},
			{Job: unknown, Audit: f.audit(storekeep.Customer{ShopID: s.ID}, storekeep.AuditRecoverRequested, t0)},
		}
		before := len(f.audits(s.ID))
		mails, err := f.s.FinishJobs(f.ctx, outcomes, t0.Add(time.Minute))
		f.must(err)
		if len(mails) != 1 || mails[0].ID == 0 || mails[0].Attempts != 1 || mails[0].To != ada.Email {
			f.Fatalf("FinishJobs returned %+v, want Ada's one mail with its ID and one attempt", mails)
		}
		if f.unused(older) {
			f.Error("the batch's token left the customer's older one usable")
		}
		if got := f.claimIDs(t0.Add(30*time.Second), time.Minute, 10); !slices.Equal(got, []int64{second}) {
			f.Errorf("a claim within the lease took %v, want only the job left out of the batch %d", got, second)
		}
		late, err := f.s.Claim(f.ctx, t0.Add(2*time.Minute), time.Minute, 1)
		f.must(err)
		if got := late.Mail; len(got) != 1 || got[0].ID != mails[0].ID || got[0].Data != outcomes[0].Mail.Data {
			f.Errorf("once the lease ran out a claim took %+v, want the batch's mail", got)
		}
		if n := len(f.audits(s.ID)); n != before+2 {
			f.Errorf("%d audit events recorded, want 2", n-before)
		}
		again, err := f.s.FinishJobs(f.ctx, outcomes, t0.Add(time.Minute))
		f.must(err)
		if len(again) != 0 || len(f.audits(s.ID)) != before+2 {
			f.Errorf("a batch of jobs already done queued %d mails and recorded events again", len(again))
		}
	}},
	{"FinishJobsCountsTheFirstOutcomeOfAJobNamedTwice", func(f fixture) {
		s := f.shop("a.example")
		ada := f.customer(s, "ada@example.com")
		job := f.job(ada)
		var outcomes []storekeep.JobOutcome
		for range 2 {
			clear := f.token()
			outcomes = append(outcomes, storekeep.JobOutcome{Job: job, Audit: f.audit(ada, storekeep.AuditRecoverRequested, t0),
				Mail: f.mail(ada, storekeep.TemplateReset, clear),
				Token: &storekeep.CustomerToken{ShopID: s.ID, CustomerID: ada.ID, Purpose: storekeep.PurposeReset,
					Hash: f.keys.Hash(clear), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}})
		}
		mails, err := f.s.FinishJobs(f.ctx, outcomes, t0.Add(time.Minute))
		f.must(err)
		if len(mails) != 1 || mails[0].Data != outcomes[0].Mail.Data {
			f.Fatalf("a job named twice in a batch queued %+v, want the first outcome's mail alone", mails)
		}
		late, err := f.s.Claim(f.ctx, t0.Add(2*time.Minute), time.Minute, 10)
		f.must(err)
		if got := late.Mail; len(got) != 1 || got[0].ID != mails[0].ID || got[0].Data != outcomes[0].Mail.Data {
			f.Errorf("once the lease ran out a claim took %+v, want the first outcome's mail", got)
		}
		if !f.unused(issued{CustomerToken: *outcomes[0].Token}) || f.unused(issued{CustomerToken: *outcomes[1].Token}) {
			f.Error("a job named twice left other than the first outcome's token usable")
		}
	}},
	{"FinishJobsWithACustomerTwiceLeavesOnlyItsLastTokenUnused", func(f fixture) {
		s := f.shop("a.example")
		ada, bob := f.customer(s, "ada@example.com"), f.customer(s, "bob@example.com")
		older := f.issue(ada, storekeep.PurposeReset)
		for _, m := range f.claimAll(t0) {
			f.must(f.markSent(m.ID, t0))
		}
		repeat := f.audit(bob, storekeep.AuditRecoverRequested, t0)
		repeat.RepeatKey = "recover bob"
		f.must(f.s.RecordAudit(f.ctx, repeat))
		outcome := func(c storekeep.Customer, at time.Time) storekeep.JobOutcome {
			clear := f.token()
			return storekeep.JobOutcome{Job: f.job(c), Audit: f.audit(c, storekeep.AuditRecoverRequested, at),
				Mail: f.mail(c, storekeep.TemplateReset, clear), Token: &storekeep.CustomerToken{ShopID: s.ID,
					CustomerID: c.ID, Purpose: storekeep.PurposeReset, Hash: f.keys.Hash(clear),
					ExpiresAt: t0.Add(time.Hour), CreatedAt: at}}
		}
		outcomes := []storekeep.JobOutcome{outcome(ada, t0), outcome(bob, t0), outcome(ada, t0.Add(time.Second))}
		outcomes[1].Audit = repeat
		mails, err := f.s.FinishJobs(f.ctx, outcomes, t0.Add(time.Minute))
		f.must(err)
		if len(mails) != len(outcomes) {
			f.Fatalf("FinishJobs queued %d mails, want %d", len(mails), len(outcomes))
		}
		late, err := f.s.Claim(f.ctx, t0.Add(2*time.Minute), time.Minute, 10)
		f.must(err)
		data := map[int64]storekeep.MailData{}
		for _, m := range late.Mail {
			data[m.ID] = m.Data
		}
		for i, m := range mails {
			if m.To != outcomes[i].Mail.To || data[m.ID] != outcomes[i].Mail.Data {
				f.Errorf("mail %d: returned for %s with ID %d, whose stored data is %+v; want %+v", i, m.To, m.ID,
					data[m.ID], outcomes[i].Mail.Data)
			}
		}
		token := func(o storekeep.JobOutcome) issued { return issued{CustomerToken: *o.Token} }
		if f.unused(older) || f.unused(token(outcomes[0])) || !f.unused(token(outcomes[2])) || !f.unused(token(outcomes[1])) {
			f.Errorf("unused: older %v, Ada's first %v, Ada's last %v, Bob's %v; want only the last of each customer",
				f.unused(older), f.unused(token(outcomes[0])), f.unused(token(outcomes[2])), f.unused(token(outcomes[1])))
		}
		for _, e := range f.audits(s.ID) {
			if e.RepeatKey == repeat.RepeatKey && e.Count != 2 {
				f.Errorf("the batch's event with a repeat key left its count at %d, want it folded into 2", e.Count)
			}
		}
	}},
	{"FinishJobsLeavesPendingTheJobOfACustomerWhoseAddressChanged", func(f fixture) {
		s := f.shop("a.example")
		ada, bob := f.customer(s, "ada@example.com"), f.customer(s, "bob@example.com")
		var outcomes []storekeep.JobOutcome
		for _, c := range []storekeep.Customer{ada, bob} {
			clear := f.token()
			outcomes = append(outcomes, storekeep.JobOutcome{Job: f.job(c), Audit: f.audit(c, storekeep.AuditRecoverRequested, t0),
				Mail: f.mail(c, storekeep.TemplateReset, clear), Token: &storekeep.CustomerToken{ShopID: s.ID,
					CustomerID: c.ID, Purpose: storekeep.PurposeReset, Hash: f.keys.Hash(clear),
					ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}})
		}
		ada.Email, ada.EmailKey, ada.UpdatedAt = "ada@elsewhere.example", "ada@elsewhere.example", t0
		_, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: ada})
		f.must(err)
		before := len(f.audits(s.ID))
		mails, err := f.s.FinishJobs(f.ctx, outcomes, t0.Add(time.Minute))
		f.must(err)
		if len(mails) != 1 || mails[0].To != bob.Email {
			f.Fatalf("FinishJobs queued %+v, want Bob's mail alone", mails)
		}
		if f.unused(issued{CustomerToken: *outcomes[0].Token}) || len(f.audits(s.ID)) != before+1 {
			f.Error("the outcome for a former address stored its token or recorded its event")
		}
		if got := f.claimIDs(t0.Add(30*time.Second), time.Minute, 10); !slices.Equal(got, []int64{outcomes[0].Job}) {
			f.Errorf("a claim took %v, want the job for the former address, left pending: %d", got, outcomes[0].Job)
		}
	}},
	{"ConcurrentJobBatchesWithCustomersInCommonBothComplete", func(f fixture) {
		s := f.shop("a.example")
		ada, bob := f.customer(s, "ada@example.com"), f.customer(s, "bob@example.com")
		outcome := func(c storekeep.Customer) storekeep.JobOutcome {
			clear := f.token()
			return storekeep.JobOutcome{Job: f.job(c), Audit: f.audit(c, storekeep.AuditRecoverRequested, t0),
				Mail: f.mail(c, storekeep.TemplateReset, clear), Token: &storekeep.CustomerToken{ShopID: s.ID,
					CustomerID: c.ID, Purpose: storekeep.PurposeReset, Hash: f.keys.Hash(clear),
					ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}}
		}
		for range 10 {
			batches := [][]storekeep.JobOutcome{{outcome(ada), outcome(bob)}, {outcome(bob), outcome(ada)}}
			var wg sync.WaitGroup
			errs := make([]error, len(batches))
			for i, b := range batches {
				wg.Go(func() {
					mails, err := f.s.FinishJobs(f.ctx, b, t0.Add(time.Minute))
					if err == nil && len(mails) != len(b) {
						err = fmt.Errorf("%d mails queued for %d outcomes", len(mails), len(b))
					}
					errs[i] = err
				})
			}
			wg.Wait()
			for _, err := range errs {
				f.must(err)
			}
		}
	}},
	{"QueuedJobRoundTripsThroughClaimWithItsPayloadSealed", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		want := storekeep.Job{ShopID: c.ShopID, Kind: storekeep.JobRecover, Locale: "fr", CreatedAt: t0,
			Recover: storekeep.RecoverRequest{Email: c.Email, IP: "203.0.113.77", UserAgent: "agent-of-the-test/9"}}
		id, err := f.s.EnqueueJob(f.ctx, want)
		f.must(err)
		claimed, err := f.s.Claim(f.ctx, t0, time.Minute, 10)
		f.must(err)
		if len(claimed.Mail) != 0 || len(claimed.Jobs) != 1 {
			f.Fatalf("claimed %d mails and %d jobs, want the one job", len(claimed.Mail), len(claimed.Jobs))
		}
		want.ID, want.Attempts = id, 1
		same(f, "claimed job", claimed.Jobs[0], want)
		listed := f.listMail(storekeep.MailPending, 0)
		if len(listed) != 1 || listed[0].Job != storekeep.JobRecover || listed[0].Template != "" {
			f.Errorf("ListMail = %+v, want the job listed as one", listed)
		}
		if _, err := f.s.EnqueueJob(f.ctx, storekeep.Job{ShopID: c.ShopID, Kind: "no_such_kind"}); err == nil {
			f.Error("a job of an unknown kind was queued")
		}
		raw := f.raw()
		for _, clear := range []string{want.Recover.UserAgent, want.Recover.IP} {
			found, err := raw.ContainsRaw(f.ctx, []byte(clear))
			f.must(err)
			if found {
				f.Errorf("%q is stored in the clear", clear)
			}
		}
	}},
	{"QueuedMailRoundTripsThroughClaim", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		want := f.enqueue(c, 1)[0]
		got := f.claim(t0, time.Minute, 10)
		if len(got) != 1 {
			f.Fatalf("claimed %d mails, want 1", len(got))
		}
		want.Attempts = 1
		same(f, "claimed mail", got[0], want)
	}},
	{"ClaimTakesOnlyDueMail", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		m := f.enqueue(c, 1)[0]
		if got := f.claim(t0.Add(-time.Second), time.Minute, 10); len(got) != 0 {
			f.Fatalf("claimed %d mails before they were queued", len(got))
		}
		f.claim(t0, time.Minute, 10)
		next := t0.Add(10 * time.Minute)
		f.must(f.s.MarkMailRetry(f.ctx, m.ID, next, "421 try later"))
		if got := f.claim(next.Add(-time.Second), time.Minute, 10); len(got) != 0 {
			f.Fatalf("claimed %d mails before their retry was due", len(got))
		}
		got := f.claim(next, time.Minute, 10)
		if len(got) != 1 || got[0].ID != m.ID || got[0].Attempts != 2 {
			f.Fatalf("claim at retry time = %+v, want mail %d on attempt 2", got, m.ID)
		}
	}},
	{"ClaimedMailIsNotClaimedAgainUntilItsLeaseRunsOut", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		m := f.enqueue(c, 1)[0]
		f.claim(t0, time.Minute, 10)
		if got := f.claim(t0.Add(59*time.Second), time.Minute, 10); len(got) != 0 {
			f.Fatalf("leased mail claimed again: %+v", got)
		}
		got := f.claim(t0.Add(time.Minute), time.Minute, 10)
		if len(got) != 1 || got[0].ID != m.ID || got[0].Attempts != 2 {
			f.Fatalf("claim after the lease = %+v, want mail %d on attempt 2", got, m.ID)
		}
	}},
	{"ClaimHonoursItsLimit", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		all := f.enqueue(c, 5)
		var claimed []storekeep.Mail
		for _, want := range []int{2, 2, 1, 0} {
			got := f.claim(t0.Add(time.Hour), time.Hour, 2)
			if len(got) != want {
				f.Fatalf("claimed %d mails, want %d", len(got), want)
			}
			claimed = append(claimed, got...)
		}
		if !slices.Equal(ids(claimed), ids(all)) {
			f.Errorf("claimed %v, want each of %v once", ids(claimed), ids(all))
		}
	}},
	{"ConcurrentClaimersNeverShareAMail", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		all := f.enqueue(c, 120)
		const claimers, limit = 12, 5
		var mu sync.Mutex
		var claimed []storekeep.Mail
		var wg sync.WaitGroup
		errs := make(chan error, claimers)
		for range claimers {
			wg.Go(func() {
				for range len(all) / limit * 2 {
					batch, err := f.s.Claim(f.ctx, t0.Add(time.Hour), time.Hour, limit)
					if err != nil {
						errs <- err
						return
					}
					got := batch.Mail
					if len(got) == 0 {
						return
					}
					mu.Lock()
					claimed = append(claimed, got...)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			f.Error(err)
		}
		if !slices.Equal(ids(claimed), ids(all)) {
			f.Errorf("claimed %d mails, want each of %d exactly once", len(claimed), len(all))
		}
	}},
	{"SentOrFailedMailIsNeverClaimedAgain", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		mails := f.enqueue(c, 3)
		f.claim(t0.Add(time.Hour), time.Minute, 10)
		f.must(f.markSent(mails[0].ID, t0.Add(time.Hour)))
		f.must(f.s.MarkMailFailed(f.ctx, mails[1].ID, t0.Add(time.Hour), "550 no such user"))
		got := f.claim(t0.Add(2*time.Hour), time.Minute, 10)
		if !slices.Equal(ids(got), []int64{mails[2].ID}) {
			f.Errorf("claimed %v after the lease, want only the unfinished %d", ids(got), mails[2].ID)
		}
	}},
	{"MarkingMailThatIsNotPendingIsNotFound", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		mails := f.enqueue(c, 2)
		f.must(f.markSent(mails[0].ID, t0))
		f.must(f.s.MarkMailFailed(f.ctx, mails[1].ID, t0, "gave up"))
		unknown := mails[1].ID + 1000
		for _, tc := range []struct {
			what string
			err  error
		}{
			{"sent mail sent again", f.markSent(mails[0].ID, t0)},
			{"sent mail retried", f.s.MarkMailRetry(f.ctx, mails[0].ID, t0, "x")},
			{"failed mail sent", f.markSent(mails[1].ID, t0)},
			{"unknown mail sent", f.markSent(unknown, t0)},
			{"unknown mail retried", f.s.MarkMailRetry(f.ctx, unknown, t0, "x")},
			{"unknown mail failed", f.s.MarkMailFailed(f.ctx, unknown, t0, "x")},
		} {
			f.is(tc.err, storekeep.ErrNotFound, tc.what)
		}
	}},
	{"MarkMailsSentMarksOnlyPendingMailInOneCall", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		mails := f.enqueue(c, 5)
		f.claim(t0.Add(time.Hour), time.Minute, 10)
		f.must(f.s.MarkMailFailed(f.ctx, mails[1].ID, t0, "gave up"))
		f.must(f.markSent(mails[2].ID, t0))
		unknown := mails[4].ID + 1000
		n, err := f.s.MarkMailsSent(f.ctx, []int64{mails[0].ID, mails[1].ID, mails[2].ID, mails[3].ID, unknown}, t0.Add(time.Hour))
		f.must(err)
		if n != 2 {
			f.Errorf("MarkMailsSent marked %d mails, want the 2 pending ones", n)
		}
		if n, err := f.s.MarkMailsSent(f.ctx, nil, t0); err != nil || n != 0 {
			f.Errorf("MarkMailsSent of none = %d, %v; want 0, nil", n, err)
		}
		sent := f.listMail(storekeep.MailSent, 10)
		var got []int64
		for _, r := range sent {
			got = append(got, r.ID)
			if r.ID != mails[2].ID && !r.SentAt.Equal(t0.Add(time.Hour)) {
				f.Errorf("mail %d sent at %v, want %v", r.ID, r.SentAt, t0.Add(time.Hour))
			}
		}
		slices.Sort(got)
		if want := []int64{mails[0].ID, mails[2].ID, mails[3].ID}; !slices.Equal(got, want) {
			f.Errorf("sent mails = %v, want %v", got, want)
		}
		if got := f.claim(t0.Add(2*time.Hour), time.Minute, 10); !slices.Equal(ids(got), []int64{mails[4].ID}) {
			f.Errorf("claimed %v after the lease, want only the unmarked %d", ids(got), mails[4].ID)
		}
		raw := f.raw()
		data, err := raw.RawMailData(f.ctx, mails[3].ID)
		f.must(err)
		if data != nil {
			f.Error("mail marked sent in a batch kept its data")
		}
	}},
	{"MarkMailsSentTakesManyIDs", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		mails := f.enqueue(c, 1203)
		n, err := f.s.MarkMailsSent(f.ctx, ids(mails), t0)
		f.must(err)
		if n != len(mails) || f.pending() != 0 {
			f.Errorf("MarkMailsSent of %d mails marked %d, %d still pending", len(mails), n, f.pending())
		}
	}},
	{"RetryReleasesTheLease", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		m := f.enqueue(c, 1)[0]
		f.claim(t0, time.Hour, 10)
		f.must(f.s.MarkMailRetry(f.ctx, m.ID, t0.Add(time.Minute), "timeout"))
		got := f.claim(t0.Add(time.Minute), time.Hour, 10)
		if len(got) != 1 || got[0].ID != m.ID {
			f.Fatalf("claim after retry within the old lease = %+v, want mail %d", got, m.ID)
		}
	}},
	{"OutboxStatsCountPendingMail", func(f fixture) {
		n, oldest, err := f.s.OutboxStats(f.ctx, 100)
		f.must(err)
		if n != 0 || !oldest.IsZero() {
			f.Errorf("empty outbox stats = %d, %v", n, oldest)
		}
		c := f.customer(f.shop("a.example"), "ada@example.com")
		mails := f.enqueue(c, 4)
		f.must(f.markSent(mails[0].ID, t0))
		f.must(f.s.MarkMailFailed(f.ctx, mails[1].ID, t0, "x"))
		f.claim(t0.Add(time.Hour), time.Minute, 1)
		n, oldest, err = f.s.OutboxStats(f.ctx, 100)
		f.must(err)
		if n != 2 || !oldest.Equal(mails[2].CreatedAt) {
			f.Errorf("stats = %d, %v; want 2, %v", n, oldest, mails[2].CreatedAt)
		}
	}},
	{"OutboxStatsCountUpToTheirCap", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		mails := f.enqueue(c, 5)
		for upTo, want := range map[int]int{1: 1, 3: 3, 5: 5, 6: 5} {
			n, oldest, err := f.s.OutboxStats(f.ctx, upTo)
			f.must(err)
			if n != want || !oldest.Equal(mails[0].CreatedAt) {
				f.Errorf("stats up to %d = %d, %v; want %d, %v", upTo, n, oldest, want, mails[0].CreatedAt)
			}
		}
	}},
	{"MailDataIsSealedAtRest", func(f fixture) {
		raw := f.raw()
		c := f.customer(f.shop("a.example"), "ada@example.com")
		tok := f.issue(c, storekeep.PurposeReset)
		queued := f.enqueue(c, 1)[0]
		for _, tc := range []struct {
			needle string
			stored bool
		}{
			{c.Email, true},
			{tok.mail.MessageID, true},
			{tok.clear, false},
			{tok.mail.Data.URL, false},
			{queued.Data.URL, false},
		} {
			found, err := raw.ContainsRaw(f.ctx, []byte(tc.needle))
			f.must(err)
			if found != tc.stored {
				f.Errorf("%q found at rest = %v, want %v", tc.needle, found, tc.stored)
			}
		}
		data, err := raw.RawMailData(f.ctx, queued.ID)
		f.must(err)
		if len(data) == 0 {
			f.Error("pending mail has no data")
		}
		opened := false
		for _, m := range f.claim(t0.Add(time.Hour), time.Minute, 10) {
			if m.ID == queued.ID {
				opened = true
				if m.Data.URL != queued.Data.URL {
					f.Errorf("claimed data = %v, want %v", m.Data, queued.Data)
				}
			}
		}
		if !opened {
			f.Errorf("the claim did not return mail %d, so its data was not seen to open", queued.ID)
		}
	}},
	{"SentMailDataIsErasedAndFailedMailDataStaysSealed", func(f fixture) {
		raw := f.raw()
		c := f.customer(f.shop("a.example"), "ada@example.com")
		mails := f.enqueue(c, 3)
		f.must(f.markSent(mails[0].ID, t0))
		f.must(f.s.MarkMailFailed(f.ctx, mails[1].ID, t0, "x"))
		for i, erased := range []bool{true, false, false} {
			data, err := raw.RawMailData(f.ctx, mails[i].ID)
			f.must(err)
			if got := data == nil; got != erased {
				f.Errorf("mail %d data erased = %v, want %v", i, got, erased)
			}
		}
		for i, m := range mails {
			found, err := raw.ContainsRaw(f.ctx, []byte(m.Data.URL))
			f.must(err)
			if found {
				f.Errorf("mail %d: link found in clear", i)
			}
		}
	}},
	{"ClaimFailsMailWhoseDataNoLongerUnsealsAndReturnsTheRest", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		lost := f.enqueue(c, 1)[0]
		g := f.reopen(keyring(f.T, 0x5b))
		kept := g.enqueue(c, 2)
		got := g.claim(t0.Add(time.Hour), time.Minute, 10)
		if !slices.Equal(ids(got), ids(kept)) {
			f.Fatalf("claimed %v, want the sealable %v", ids(got), ids(kept))
		}
		for i, m := range got {
			if m.Data.URL != kept[i].Data.URL {
				f.Errorf("mail %d data = %v, want %v", m.ID, m.Data, kept[i].Data)
			}
		}
		failed, err := g.s.ListMail(g.ctx, storekeep.MailFailed, 10)
		f.must(err)
		if len(failed) != 1 || failed[0].ID != lost.ID || failed[0].LastError != "data cannot be unsealed" {
			f.Fatalf("failed mail = %+v, want mail %d failed with \"data cannot be unsealed\"", failed, lost.ID)
		}
		if again := g.claim(t0.Add(2*time.Hour), time.Minute, 10); !slices.Equal(ids(again), ids(kept)) {
			f.Errorf("claim after the lease = %v, want only %v", ids(again), ids(kept))
		}
	}},
}
