package recovery_test

import (
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/recovery"
)

// ordersWaitingMails runs an orders_waiting job for email and returns the
// mail it queued.
func (f *fixture) ordersWaitingMails(email string) []storekeep.Mail {
	f.t.Helper()
	job := storekeep.Job{ShopID: f.shop.ID, Kind: storekeep.JobOrdersWaiting, Locale: "en", CreatedAt: f.now,
		Recover: storekeep.RecoverRequest{Email: storekeep.NormalizeEmail(email), IP: "192.0.2.9"}}
	if _, err := f.store.EnqueueJob(f.ctx, job); err != nil {
		f.t.Fatal(err)
	}
	for _, j := range f.claim().Jobs {
		if _, err := f.svc.ProcessOrdersWaiting(f.ctx, j); err != nil {
			f.t.Fatal(err)
		}
	}
	return f.claim().Mail
}

// guestOrder stores order id, placed with email and attached to nobody.
func (f *fixture) guestOrder(id int64, email string) {
	f.t.Helper()
	o := storekeep.Order{ShopID: f.shop.ID, ID: id, Email: email, EmailKey: storekeep.NormalizeEmail(email),
		Currency: "EUR", ProcessedAt: f.now, UpdatedAt: f.now}
	if _, err := f.store.WriteOrder(f.ctx, storekeep.OrderWrite{Order: o, At: f.now}); err != nil {
		f.t.Fatal(err)
	}
}

func TestOrdersWaitingMailsOnlyAnUnprovenEnabledAccountWithOrders(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationPrivate, recovery.Config{})
	f.guestOrder(1, "waiting@example.com")
	f.guestOrder(2, "proven@example.com")
	f.guestOrder(3, "off@example.com")
	f.customer("waiting@example.com", storekeep.CustomerEnabled)
	f.customer("none@example.com", storekeep.CustomerEnabled)
	f.customer("off@example.com", storekeep.CustomerDisabled)
	proven := f.customer("proven@example.com", storekeep.CustomerEnabled)
	read := proven
	proven.UpdatedAt = f.now.Add(time.Second)
	if _, err := f.store.UpdateCustomer(f.ctx, storekeep.CustomerUpdate{Customer: proven, Read: read, VerifyEmail: true}); err != nil {
		t.Fatal(err)
	}

	for _, email := range []string{"none@example.com", "off@example.com", "proven@example.com", "unknown@example.com"} {
		if mails := f.ordersWaitingMails(email); len(mails) != 0 {
			t.Errorf("%s: queued %+v", email, mails)
		}
	}
	mails := f.ordersWaitingMails("waiting@example.com")
	if len(mails) != 1 || mails[0].Template != storekeep.TemplateOrdersWaiting || mails[0].To != "waiting@example.com" {
		t.Fatalf("queued %+v, want one orders_waiting mail", mails)
	}
	if _, _, ok := recovery.ParseAccountURL(mails[0].Data.URL, "", "reset"); !ok {
		t.Fatalf("the mail's link %q is not a reset link", mails[0].Data.URL)
	}
}

// Sign-ups under one address, one after another (an account opened under
// it, moved away, the next opened), each queue an orders_waiting job; a
// client could so mail any guest buyer's address again and again. One
// address gets at most OrdersWaitingPerEmail of these mails.
func TestOrdersWaitingMailsToOneAddressAreBounded(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationPrivate, recovery.Config{})
	f.guestOrder(1, "buyer@example.com")
	f.customer("buyer@example.com", storekeep.CustomerEnabled)
	allowance := recovery.DefaultConfig().OrdersWaitingPerEmail
	sent := 0
	for range allowance.Count + 3 {
		sent += len(f.ordersWaitingMails("buyer@example.com"))
	}
	if sent != allowance.Count {
		t.Errorf("%d sign-ups under one address sent it %d orders_waiting mails, want %d", allowance.Count+3, sent, allowance.Count)
	}
	f.now = f.now.Add(allowance.Per)
	if mails := f.ordersWaitingMails("buyer@example.com"); len(mails) != 1 {
		t.Errorf("after %v: %d mails, want the allowance back", allowance.Per, len(mails))
	}
}
