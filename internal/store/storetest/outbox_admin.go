package storetest

import (
	"fmt"
	"slices"
	"time"

	"github.com/storekeep/storekeep"
)

func (f fixture) listMail(status storekeep.MailStatus, limit int) []storekeep.MailRecord {
	f.Helper()
	list, err := f.s.ListMail(f.ctx, status, limit)
	f.must(err)
	return list
}

func recordIDs(list []storekeep.MailRecord) []int64 {
	var ids []int64
	for _, r := range list {
		ids = append(ids, r.ID)
	}
	return ids
}

// record is how ListMail shows m with status, attempts and last error.
func record(m storekeep.Mail, status storekeep.MailStatus, attempts int, lastError string, sent time.Time) storekeep.MailRecord {
	return storekeep.MailRecord{
		ID: m.ID, ShopID: m.ShopID, To: m.To, Template: m.Template, MessageID: m.MessageID, Status: status,
		Attempts: attempts, LastError: lastError, CreatedAt: m.CreatedAt, SentAt: sent,
	}
}

var outboxAdminRules = []rule{
	{"ListMailListsNewestFirstByStatus", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		mails := f.enqueue(c, 4)
		f.claim(t0.Add(time.Hour), time.Minute, 2)
		sentAt := t0.Add(time.Hour + time.Second)
		f.must(f.markSent(mails[0].ID, sentAt))
		f.must(f.s.MarkMailFailed(f.ctx, mails[1].ID, sentAt, "550 no such user"))
		f.must(f.s.MarkMailRetry(f.ctx, mails[2].ID, t0.Add(2*time.Hour), "421 later"))
		all := []storekeep.MailRecord{
			record(mails[3], storekeep.MailPending, 0, "", time.Time{}),
			record(mails[2], storekeep.MailPending, 0, "421 later", time.Time{}),
			record(mails[1], storekeep.MailFailed, 1, "550 no such user", time.Time{}),
			record(mails[0], storekeep.MailSent, 1, "", sentAt),
		}
		for _, tc := range []struct {
			status storekeep.MailStatus
			limit  int
			want   []storekeep.MailRecord
		}{
			{"", 10, all},
			{"", 3, all[:3]},
			{"", 0, all},
			{storekeep.MailPending, 10, all[:2]},
			{storekeep.MailPending, 1, all[:1]},
			{storekeep.MailFailed, 10, all[2:3]},
			{storekeep.MailSent, 10, all[3:]},
		} {
			got := f.listMail(tc.status, tc.limit)
			if !slices.Equal(recordIDs(got), recordIDs(tc.want)) {
				f.Errorf("ListMail(%q, %d) = %v, want %v", tc.status, tc.limit, recordIDs(got), recordIDs(tc.want))
				continue
			}
			for i := range got {
				same(f, fmt.Sprintf("ListMail(%q, %d)[%d]", tc.status, tc.limit, i), got[i], tc.want[i])
			}
		}
	}},
	{"RetryMailMakesFailedMailPendingDueNowWithItsData", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		m := f.enqueue(c, 1)[0]
		for range 3 {
			f.claim(t0.Add(time.Hour), 0, 10)
		}
		f.must(f.s.MarkMailFailed(f.ctx, m.ID, t0.Add(time.Hour), "gave up"))
		if got := f.pending(); got != 0 {
			f.Fatalf("%d pending mails after failing the only one", got)
		}
		retry := t0.Add(3 * time.Hour)
		f.must(f.s.RetryMail(f.ctx, m.ID, retry))
		if got := f.pending(); got != 1 {
			f.Errorf("%d pending mails after retry, want 1", got)
		}
		if got := f.claim(retry.Add(-time.Second), time.Minute, 10); len(got) != 0 {
			f.Fatalf("retried mail claimed before it was due: %v", ids(got))
		}
		got := f.claim(retry, time.Minute, 10)
		if len(got) != 1 {
			f.Fatalf("claimed %d mails after retry, want 1", len(got))
		}
		want := m
		want.Attempts = 1
		same(f, "retried mail", got[0], want)
		f.must(f.markSent(m.ID, retry))
	}},
	{"RetryMailOfMailThatHasNotFailedIsNotFound", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		mails := f.enqueue(c, 2)
		f.must(f.markSent(mails[0].ID, t0))
		for _, tc := range []struct {
			what string
			id   int64
		}{
			{"sent mail", mails[0].ID},
			{"pending mail", mails[1].ID},
			{"unknown mail", mails[1].ID + 1000},
		} {
			f.is(f.s.RetryMail(f.ctx, tc.id, t0), storekeep.ErrNotFound, "RetryMail of "+tc.what)
		}
		if got := f.listMail(storekeep.MailSent, 10); !slices.Equal(recordIDs(got), []int64{mails[0].ID}) {
			f.Errorf("sent mail after a refused retry = %v", recordIDs(got))
		}
	}},
	{"PruneMailDeletesMailSentOrGivenUpBeforeTheCutoff", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		mails := f.enqueue(c, 5)
		cutoff := t0.Add(time.Hour)
		f.must(f.markSent(mails[0].ID, cutoff.Add(-time.Microsecond)))
		f.must(f.markSent(mails[1].ID, cutoff))
		f.must(f.s.MarkMailFailed(f.ctx, mails[2].ID, cutoff.Add(-time.Microsecond), "given up before the cutoff"))
		f.must(f.s.MarkMailFailed(f.ctx, mails[3].ID, cutoff, "queued before the cutoff, given up at it"))

		n, err := f.s.PruneMail(f.ctx, cutoff, 100)
		f.must(err)
		if n != 2 {
			f.Errorf("PruneMail deleted %d rows, want 2", n)
		}
		kept := recordIDs(f.listMail("", 0))
		if want := []int64{mails[4].ID, mails[3].ID, mails[1].ID}; !slices.Equal(kept, want) {
			f.Errorf("kept %v, want %v: pending mail, mail given up at the cutoff though queued before it, mail sent at the cutoff", kept, want)
		}
		f.must(f.s.RetryMail(f.ctx, mails[3].ID, cutoff))

		f.must(f.s.MarkMailFailed(f.ctx, mails[3].ID, cutoff.Add(time.Hour), "given up again"))
		n, err = f.s.PruneMail(f.ctx, cutoff.Add(time.Hour), 100)
		f.must(err)
		if kept := recordIDs(f.listMail("", 0)); n != 1 || !slices.Equal(kept, []int64{mails[4].ID, mails[3].ID}) {
			f.Errorf("second PruneMail deleted %d and kept %v, want 1 (the mail sent at the first cutoff) and the pending mail and the mail given up again", n, kept)
		}
		n, err = f.s.PruneMail(f.ctx, cutoff.Add(24*time.Hour), 100)
		f.must(err)
		if kept := recordIDs(f.listMail("", 0)); n != 1 || !slices.Equal(kept, []int64{mails[4].ID}) {
			f.Errorf("third PruneMail deleted %d and kept %v, want 1 and only the pending mail %d", n, kept, mails[4].ID)
		}
	}},
	{"PruneMailDeletesInBatchesOldestSentFirstThenFailed", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		mails := f.enqueue(c, 5)
		cutoff := t0.Add(time.Hour)
		f.must(f.markSent(mails[0].ID, t0.Add(3*time.Minute)))
		f.must(f.markSent(mails[1].ID, t0.Add(time.Minute)))
		f.must(f.markSent(mails[2].ID, t0.Add(2*time.Minute)))
		f.must(f.s.MarkMailFailed(f.ctx, mails[3].ID, t0.Add(time.Minute), "given up"))
		for i, want := range []struct {
			deleted int
			kept    []int64
		}{
			{2, []int64{mails[4].ID, mails[3].ID, mails[0].ID}},
			{2, []int64{mails[4].ID}},
			{0, []int64{mails[4].ID}},
		} {
			n, err := f.s.PruneMail(f.ctx, cutoff, 2)
			f.must(err)
			if kept := recordIDs(f.listMail("", 0)); n != want.deleted || !slices.Equal(kept, want.kept) {
				f.Fatalf("prune %d in batches of 2: deleted %d and kept %v, want %d and %v", i+1, n, kept, want.deleted, want.kept)
			}
		}
	}},
}
