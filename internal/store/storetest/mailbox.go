package storetest

import (
	"fmt"
	"time"

	"github.com/storekeep/storekeep"
)

func (f fixture) saveMessage(shopID int64, to string, received time.Time) storekeep.MailboxMessage {
	f.Helper()
	m := storekeep.MailboxMessage{
		ShopID: shopID, MessageID: fmt.Sprintf("<%d@storekeep.test>", received.UnixNano()),
		From: "shop@a.example", To: to, Subject: "Reset your password",
		Text: "Follow the link", HTML: "<p>Follow the link</p>", ReceivedAt: received,
	}
	saved, err := f.s.SaveMailboxMessage(f.ctx, m)
	f.must(err)
	if saved.ID <= 0 {
		f.Fatalf("SaveMailboxMessage ID = %d", saved.ID)
	}
	m.ID = saved.ID
	same(f, "saved message", saved, m)
	return m
}

func (f fixture) messages(to string, limit int) []storekeep.MailboxMessage {
	f.Helper()
	list, err := f.s.MailboxMessages(f.ctx, to, limit)
	f.must(err)
	return list
}

func messageIDs(list []storekeep.MailboxMessage) []int64 {
	var ids []int64
	for _, m := range list {
		ids = append(ids, m.ID)
	}
	return ids
}

var mailboxRules = []rule{
	{"MailboxMessageRoundTrips", func(f fixture) {
		s := f.shop("a.example")
		want := f.saveMessage(s.ID, "ada@example.com", t0)
		got, err := f.s.MailboxMessage(f.ctx, want.ID)
		f.must(err)
		same(f, "MailboxMessage", got, want)
		_, err = f.s.MailboxMessage(f.ctx, want.ID+1000)
		f.is(err, storekeep.ErrNotFound, "unknown message")
	}},
	{"MailboxListsNewestFirst", func(f fixture) {
		s := f.shop("a.example")
		middle := f.saveMessage(s.ID, "a@example.com", t0.Add(time.Minute))
		oldest := f.saveMessage(s.ID, "b@example.com", t0)
		newest := f.saveMessage(s.ID, "c@example.com", t0.Add(time.Hour))
		for _, tc := range []struct {
			limit int
			want  []int64
		}{
			{10, []int64{newest.ID, middle.ID, oldest.ID}},
			{2, []int64{newest.ID, middle.ID}},
		} {
			if got := messageIDs(f.messages("", tc.limit)); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				f.Errorf("MailboxMessages(limit %d) = %v, want %v", tc.limit, got, tc.want)
			}
		}
	}},
	{"MailboxFiltersByRecipientIgnoringCase", func(f fixture) {
		s := f.shop("a.example")
		first := f.saveMessage(s.ID, "Ada@Example.com", t0)
		f.saveMessage(s.ID, "bob@example.com", t0.Add(time.Second))
		second := f.saveMessage(s.ID, "ada@example.com", t0.Add(2*time.Second))
		got := messageIDs(f.messages("ADA@example.COM", 10))
		if want := []int64{second.ID, first.ID}; fmt.Sprint(got) != fmt.Sprint(want) {
			f.Errorf("messages to ada = %v, want %v", got, want)
		}
		if got := f.messages("carol@example.com", 10); len(got) != 0 {
			f.Errorf("messages to carol = %v, want none", messageIDs(got))
		}
	}},
	{"ClearMailboxDeletesEveryMessage", func(f fixture) {
		s := f.shop("a.example")
		m := f.saveMessage(s.ID, "ada@example.com", t0)
		f.saveMessage(s.ID, "bob@example.com", t0)
		f.must(f.s.ClearMailbox(f.ctx))
		if got := f.messages("", 10); len(got) != 0 {
			f.Errorf("%d messages after clearing", len(got))
		}
		_, err := f.s.MailboxMessage(f.ctx, m.ID)
		f.is(err, storekeep.ErrNotFound, "cleared message")
	}},
}
