package storetest

import (
	"fmt"
	"sync"
	"time"

	"github.com/storekeep/storekeep"
)

var enqueueRules = []rule{
	{"AJobQueuedLeasedIsClaimedOnlyOnceItsLeaseRunsOut", func(f fixture) {
		shop := f.shop("a.example")
		const callers, each = 6, 10
		lease := t0.Add(time.Minute)
		// Every other job is queued leased; the callers run at once, so
		// that leased and unleased rows share the enqueue's writes.
		leased := func(c, i int) bool { return (c+i)%2 == 0 }
		ids := make([][each]int64, callers)
		var wg sync.WaitGroup
		for c := range callers {
			wg.Go(func() {
				for i := range each {
					j := storekeep.Job{ShopID: shop.ID, Kind: storekeep.JobRecover, CreatedAt: t0,
						Recover: storekeep.RecoverRequest{Email: fmt.Sprintf("c%d-%d@example.com", c, i), IP: "203.0.113.9"}}
					if leased(c, i) {
						j.LeasedUntil = lease
					}
					id, err := f.s.EnqueueJob(f.ctx, j)
					f.must(err)
					ids[c][i] = id
				}
			})
		}
		wg.Wait()
		free, held := map[int64]bool{}, map[int64]bool{}
		for c := range callers {
			for i, id := range ids[c] {
				if leased(c, i) {
					held[id] = true
				} else {
					free[id] = true
				}
			}
		}
		due, err := f.s.OldestDue(f.ctx, lease.Add(-time.Second))
		f.must(err)
		if !due.Equal(t0) {
			f.Errorf("OldestDue = %v, want %v, the unleased jobs' due time", due, t0)
		}
		// claimAll claims at now and wants exactly the jobs of want, each
		// on attempt attempt.
		claimAll := func(now time.Time, want map[int64]bool, attempt int, which string) {
			claimed, err := f.s.Claim(f.ctx, now, time.Hour, 1000)
			f.must(err)
			for _, j := range claimed.Jobs {
				if !want[j.ID] || j.Attempts != attempt {
					f.Errorf("claimed job %d on attempt %d at %v; want only the %s jobs, on attempt %d", j.ID, j.Attempts, now, which, attempt)
				}
				delete(want, j.ID)
			}
			if len(want) != 0 {
				f.Errorf("%d %s jobs were not claimed at %v", len(want), which, now)
			}
		}
		claimAll(lease.Add(-time.Second), free, 1, "unleased")
		if due, err := f.s.OldestDue(f.ctx, lease.Add(-time.Second)); err != nil || !due.IsZero() {
			f.Errorf("OldestDue with every job leased = %v, %v; want none", due, err)
		}
		for _, r := range f.listMail(storekeep.MailPending, 0) {
			if held[r.ID] && r.Attempts != 1 {
				f.Errorf("leased job %d lists %d attempts, want 1", r.ID, r.Attempts)
			}
		}
		claimAll(lease, held, 2, "leased")
	}},
	{"ConcurrentlyQueuedJobsEachGetTheirOwnIDAndAreCommitted", func(f fixture) {
		shop := f.shop("a.example")
		const callers, each = 8, 12
		// Every fourth job of every other caller names a shop that does
		// not exist, so that its insert fails wherever it is written.
		bad := func(c, i int) bool { return c%2 == 0 && i%4 == 3 }
		type queued struct {
			id  int64
			err error
		}
		got := make([][each]queued, callers)
		var wg sync.WaitGroup
		for c := range callers {
			wg.Go(func() {
				for i := range each {
					shopID := shop.ID
					if bad(c, i) {
						shopID = shop.ID + 1000
					}
					id, err := f.s.EnqueueJob(f.ctx, storekeep.Job{ShopID: shopID, Kind: storekeep.JobRecover, CreatedAt: t0,
						Recover: storekeep.RecoverRequest{Email: fmt.Sprintf("c%d-%d@example.com", c, i), IP: "203.0.113.9"}})
					got[c][i] = queued{id, err}
				}
			})
		}
		wg.Wait()
		want := map[int64]string{}
		for c := range callers {
			for i, q := range got[c] {
				switch {
				case bad(c, i) && q.err == nil:
					f.Errorf("job %d-%d for a shop that does not exist was queued as %d", c, i, q.id)
				case bad(c, i):
				case q.err != nil:
					f.Errorf("job %d-%d: %v", c, i, q.err)
				case want[q.id] != "":
					f.Errorf("id %d given to %s and to job %d-%d", q.id, want[q.id], c, i)
				default:
					want[q.id] = fmt.Sprintf("c%d-%d@example.com", c, i)
				}
			}
		}
		// A second connection to the database finds every row, so each
		// was committed before its caller had its ID.
		listed, err := f.reopen(keyring(f.T, 0x5c)).s.ListMail(f.ctx, storekeep.MailPending, 1000)
		f.must(err)
		if len(listed) != len(want) {
			f.Errorf("the database holds %d pending rows, want the %d jobs queued", len(listed), len(want))
		}
		claimed, err := f.s.Claim(f.ctx, t0, time.Minute, 1000)
		f.must(err)
		if len(claimed.Jobs) != len(want) {
			f.Fatalf("claimed %d jobs, want %d", len(claimed.Jobs), len(want))
		}
		for _, j := range claimed.Jobs {
			if j.Recover.Email != want[j.ID] {
				f.Errorf("job %d is for %q, want %q: an ID went to another caller's job", j.ID, j.Recover.Email, want[j.ID])
			}
		}
	}},
}
