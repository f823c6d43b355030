package storetest

import (
	"fmt"
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
}
