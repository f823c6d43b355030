package storetest

import (
	"slices"
	"time"

	"github.com/storekeep/storekeep"
)

// invite queues an invitation of c due at due.
func (f fixture) invite(c storekeep.Customer, due time.Time) int64 {
	f.Helper()
	id, err := f.s.EnqueueJob(f.ctx, storekeep.Job{ShopID: c.ShopID, Kind: storekeep.JobInvite, CreatedAt: t0, DueAt: due,
		Invite: storekeep.InviteRequest{CustomerID: c.ID, Email: c.Email}})
	f.must(err)
	return id
}

var inviteRules = []rule{
	{"OutboxStatsCountJobsAndPacedInvitationsAsPending", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		f.job(c)
		f.invite(c, t0.Add(time.Hour))
		n, oldest, err := f.s.OutboxStats(f.ctx, 100)
		f.must(err)
		if n != 2 || !oldest.Equal(t0) {
			f.Errorf("stats with a recover job and an invitation due later = %d, %v; want 2, %v", n, oldest, t0)
		}
	}},
	{"InvitationsAreClaimedAfterDueMailAndDueJobs", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		invites := []int64{f.invite(c, t0), f.invite(c, t0)}
		job := f.job(c)
		mail := f.enqueue(c, 1)[0]
		var order []int64
		for range 4 {
			order = append(order, f.claimIDs(t0.Add(time.Minute), time.Minute, 1)...)
		}
		want := []int64{mail.ID, job, invites[0], invites[1]}
		if !slices.Equal(order, want) {
			f.Fatalf("claimed %v, want the mail, the job, then the older invitations: %v", order, want)
		}
	}},
	{"ABatchFillsWithInvitationsOnlyAfterEverythingElseDue", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		invites := []int64{f.invite(c, t0), f.invite(c, t0)}
		mail := f.enqueue(c, 1)[0]
		job := f.job(c)
		got := f.claimIDs(t0.Add(time.Minute), time.Minute, 3)
		if want := []int64{mail.ID, job, invites[0]}; !slices.Equal(got, want) {
			f.Fatalf("claimed %v, want %v", got, want)
		}
	}},
	{"InvitationsWaitForTheirDueTime", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		soon, later := f.invite(c, t0.Add(time.Second)), f.invite(c, t0.Add(time.Hour))
		if got := f.claimIDs(t0, time.Minute, 10); len(got) != 0 {
			f.Fatalf("claimed %v before any invitation was due", got)
		}
		if got := f.claimIDs(t0.Add(time.Minute), 2*time.Hour, 10); !slices.Equal(got, []int64{soon}) {
			f.Fatalf("claimed %v, want only the due invitation %d", got, soon)
		}
		claimed, err := f.s.Claim(f.ctx, t0.Add(time.Hour), time.Minute, 10)
		f.must(err)
		want := storekeep.Job{ID: later, ShopID: c.ShopID, Kind: storekeep.JobInvite, Attempts: 1, CreatedAt: t0,
			Invite: storekeep.InviteRequest{CustomerID: c.ID, Email: c.Email}}
		if len(claimed.Jobs) != 1 {
			f.Fatalf("claimed %+v, want the later invitation", claimed)
		}
		same(f, "claimed invitation", claimed.Jobs[0], want)
	}},
}
