package storetest

import (
	"fmt"

	"github.com/storekeep/storekeep"
)

// listingRules hold the listings to one meaning of their limit.
var listingRules = []rule{
	{"ListingsWithoutALimitReturnEverything", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		const n = 3
		f.enqueue(c, n)
		for i := range n {
			f.must(f.s.RecordAudit(f.ctx, f.audit(c, storekeep.AuditRecoverRequested, t0)))
			_, err := f.s.SaveMailboxMessage(f.ctx, storekeep.MailboxMessage{ShopID: c.ShopID,
				MessageID: fmt.Sprintf("<%d@a.example>", i), To: c.Email, ReceivedAt: t0})
			f.must(err)
		}
		for _, limit := range []int{0, -1, n, n + 1, 2} {
			want := min(n, limit)
			if limit <= 0 {
				want = n
			}
			audits, err := f.s.AuditEvents(f.ctx, c.ShopID, limit)
			f.must(err)
			mailbox, err := f.s.MailboxMessages(f.ctx, "", limit)
			f.must(err)
			mails, err := f.s.ListMail(f.ctx, "", limit)
			f.must(err)
			for what, got := range map[string]int{"AuditEvents": len(audits), "MailboxMessages": len(mailbox), "ListMail": len(mails)} {
				if got != want {
					f.Errorf("%s with limit %d: %d rows, want %d", what, limit, got, want)
				}
			}
		}
	}},
}
