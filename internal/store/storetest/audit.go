package storetest

import (
	"fmt"
	"sync"
	"time"

	"github.com/storekeep/storekeep"
)

var auditRules = []rule{
	{"AuditEventsListNewestFirstPerShop", func(f fixture) {
		a, b := f.shop("a.example"), f.shop("b.example")
		ca, cb := f.customer(a, "ada@example.com"), f.customer(b, "bob@example.com")
		events := []storekeep.AuditEvent{
			f.audit(ca, storekeep.AuditRecoverRequested, t0.Add(time.Minute)),
			f.audit(ca, storekeep.AuditResetFailed, t0),
			f.audit(cb, storekeep.AuditThrottled, t0.Add(2*time.Minute)),
			f.audit(ca, storekeep.AuditResetSucceeded, t0.Add(3*time.Minute)),
		}
		events[2].CustomerID = 0
		for _, e := range events {
			f.must(f.s.RecordAudit(f.ctx, e))
		}
		for _, tc := range []struct {
			shop  int64
			limit int
			want  []storekeep.AuditEvent
		}{
			{a.ID, 10, []storekeep.AuditEvent{events[3], events[0], events[1]}},
			{b.ID, 10, []storekeep.AuditEvent{events[2]}},
			{0, 10, []storekeep.AuditEvent{events[3], events[2], events[0], events[1]}},
			{0, 2, []storekeep.AuditEvent{events[3], events[2]}},
		} {
			got, err := f.s.AuditEvents(f.ctx, tc.shop, tc.limit)
			f.must(err)
			if len(got) != len(tc.want) {
				f.Errorf("AuditEvents(%d, %d) = %d events, want %d", tc.shop, tc.limit, len(got), len(tc.want))
				continue
			}
			for i, want := range tc.want {
				if got[i].ID <= 0 {
					f.Errorf("event ID = %d", got[i].ID)
				}
				want.ID = got[i].ID
				same(f, fmt.Sprintf("AuditEvents(%d, %d)[%d]", tc.shop, tc.limit, i), got[i], want)
			}
		}
	}},
	{"AuditEventsWithARepeatKeyFoldIntoOneRowWithACount", func(f fixture) {
		a, b := f.shop("a.example"), f.shop("b.example")
		ca, cb := f.customer(a, "ada@example.com"), f.customer(b, "bob@example.com")
		first := f.audit(ca, storekeep.AuditThrottled, t0)
		first.RepeatKey = "k"
		repeat := first
		repeat.CustomerID, repeat.UserAgent, repeat.At, repeat.LastAt = 0, "another agent", t0.Add(3*time.Minute), t0.Add(3*time.Minute)
		earlier := first
		earlier.At, earlier.LastAt, earlier.Count = t0.Add(time.Minute), t0.Add(time.Minute), 5
		otherShop := f.audit(cb, storekeep.AuditThrottled, t0)
		otherShop.RepeatKey = "k"
		otherKey := first
		otherKey.RepeatKey = "k2"
		plain := f.audit(ca, storekeep.AuditThrottled, t0)
		for _, e := range []storekeep.AuditEvent{first, repeat, earlier, otherShop, otherKey, plain, plain} {
			f.must(f.s.RecordAudit(f.ctx, e))
		}
		folded := first
		folded.Count, folded.LastAt = 7, repeat.At
		want := map[string][]storekeep.AuditEvent{"k": {folded}, "k2": {otherKey}, "": {plain, plain}}
		got := map[string][]storekeep.AuditEvent{}
		for _, e := range f.audits(a.ID) {
			got[e.RepeatKey] = append(got[e.RepeatKey], e)
		}
		for key, events := range want {
			if len(got[key]) != len(events) {
				f.Errorf("repeat key %q: %d rows, want %d", key, len(got[key]), len(events))
				continue
			}
			for i, w := range events {
				w.ID = got[key][i].ID
				same(f, fmt.Sprintf("row %d of key %q", i, key), got[key][i], w)
			}
		}
		if list := f.audits(b.ID); len(list) != 1 || list[0].Count != 1 {
			f.Errorf("another shop's event with the same key: %+v, want its own row with count 1", list)
		}
	}},
	{"FoldingAuditEventsCountsEveryConcurrentOne", func(f fixture) {
		s := f.shop("a.example")
		e := f.audit(f.customer(s, "ada@example.com"), storekeep.AuditThrottled, t0)
		e.RepeatKey = "k"
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				for range 5 {
					if err := f.s.RecordAudit(f.ctx, e); err != nil {
						f.Errorf("RecordAudit: %v", err)
					}
				}
			})
		}
		wg.Wait()
		if list := f.audits(s.ID); len(list) != 1 || list[0].Count != 80 {
			f.Fatalf("80 concurrent repeats: %d rows %+v, want one row with count 80", len(list), list)
		}
	}},
	{"PruneAuditDeletesTheOldestBeforeTheCutoffInBatches", func(f fixture) {
		s := f.shop("a.example")
		c := f.customer(s, "ada@example.com")
		for i := range 5 {
			f.must(f.s.RecordAudit(f.ctx, f.audit(c, storekeep.AuditLoginFailed, t0.Add(time.Duration(i)*time.Minute))))
		}
		kept := f.audit(c, storekeep.AuditLoginFailed, t0.Add(5*time.Minute))
		f.must(f.s.RecordAudit(f.ctx, kept))
		cutoff := t0.Add(5 * time.Minute)
		for i, want := range []int{2, 2, 1, 0} {
			n, err := f.s.PruneAudit(f.ctx, cutoff, 2)
			f.must(err)
			if n != want {
				f.Fatalf("prune %d deleted %d, want %d", i+1, n, want)
			}
			left := f.audits(s.ID)
			if oldest := left[len(left)-1].At; i < 2 && !oldest.Equal(t0.Add(time.Duration(2*(i+1))*time.Minute)) {
				f.Fatalf("after prune %d the oldest event is at %s: not the oldest were deleted", i+1, oldest)
			}
		}
		left := f.audits(s.ID)
		if len(left) != 1 || !left[0].At.Equal(kept.At) {
			f.Fatalf("left after pruning: %+v, want only the event at the cutoff", left)
		}
	}},
}
