package storetest

import (
	"fmt"
	"sync"
	"time"

	"github.com/storekeep/storekeep"
)

var enqueueRules = []rule{
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
