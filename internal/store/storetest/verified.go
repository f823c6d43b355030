package storetest

import (
	"slices"
	"time"

	"github.com/storekeep/storekeep"
)

// ordersShown lists the ids of the orders c is shown, and checks that
// CountCustomerOrders agrees.
func (f fixture) ordersShown(c storekeep.Customer) []int64 {
	f.Helper()
	p := storekeep.OrderPage{ShopID: c.ShopID, CustomerID: c.ID, EmailKey: c.EmailKey, Limit: 50}
	ids := f.customerOrderIDs(p)
	n, err := f.s.CountCustomerOrders(f.ctx, p)
	f.must(err)
	if n != int64(len(ids)) {
		f.Fatalf("customer %d: CountCustomerOrders = %d, CustomerOrders lists %v", c.ID, n, ids)
	}
	return ids
}

func (f fixture) stored(c storekeep.Customer) storekeep.Customer {
	f.Helper()
	got, err := f.s.CustomerByID(f.ctx, c.ShopID, c.ID)
	f.must(err)
	return got
}

var verifiedRules = []rule{
	{"ACustomerThatHasNotProvedItsAddressSeesNoneOfItsOrders", func(f fixture) {
		shop := f.shop("a.example")
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 1, "victim@a.example", t0), At: t0}, storekeep.OrderSaved)
		stranger := f.customer(shop, "Victim@a.example")
		if !stranger.EmailVerifiedAt.IsZero() {
			f.Fatalf("a new customer's address is verified at %v", stranger.EmailVerifiedAt)
		}
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 2, "victim@a.example", t0), At: t0}, storekeep.OrderSaved)
		if got := f.ordersShown(stranger); len(got) != 0 {
			f.Fatalf("an unverified customer is shown orders %v", got)
		}
		o, err := f.s.OrderByID(f.ctx, shop.ID, 2)
		f.must(err)
		if o.CustomerID != 0 {
			f.Fatalf("an order was attached to customer %d, whose address is unverified", o.CustomerID)
		}
	}},
	{"RedeemingALinkVerifiesTheAddressAndShowsItsOrders", func(f fixture) {
		for _, purpose := range []storekeep.TokenPurpose{storekeep.PurposeReset, storekeep.PurposeActivation} {
			shop := f.shop(string(purpose) + ".example")
			email := "owner@" + shop.Domain
			f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 1, email, t0), At: t0}, storekeep.OrderSaved)
			c := f.customer(shop, email)
			now := t0.Add(time.Hour)
			got, err := f.s.RedeemCustomerToken(f.ctx, f.redemption(f.issue(c, purpose), "$argon2id$x", now))
			f.must(err)
			if !got.EmailVerifiedAt.Equal(now) || !f.stored(c).EmailVerifiedAt.Equal(now) {
				f.Fatalf("%s: EmailVerifiedAt after redeeming = %v, want %v", purpose, got.EmailVerifiedAt, now)
			}
			if ids := f.ordersShown(got); !slices.Equal(ids, []int64{1}) {
				f.Fatalf("%s: orders after proving the address: %v, want [1]", purpose, ids)
			}
			f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 2, email, t0), At: t0}, storekeep.OrderSaved)
			o, err := f.s.OrderByID(f.ctx, shop.ID, 2)
			f.must(err)
			if o.CustomerID != c.ID {
				f.Fatalf("%s: a later order is attached to %d, want the verified customer %d", purpose, o.CustomerID, c.ID)
			}
			again, err := f.s.RedeemCustomerToken(f.ctx, f.redemption(f.issue(c, purpose), "$argon2id$y", now.Add(time.Hour)))
			f.must(err)
			if !again.EmailVerifiedAt.Equal(now) {
				f.Fatalf("%s: a second redemption moved EmailVerifiedAt to %v", purpose, again.EmailVerifiedAt)
			}
		}
	}},
	{"ANewAddressIsUnverifiedAndSpendsTheLinksMailedToTheFormerOne", func(f fixture) {
		shop := f.shop("a.example")
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 1, "victim@a.example", t0), At: t0}, storekeep.OrderSaved)
		c := f.verifiedCustomer(shop, "mallory@a.example")
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 2, "mallory@a.example", t0), At: t0}, storekeep.OrderSaved)
		reset, activation := f.issue(c, storekeep.PurposeReset), f.issue(c, storekeep.PurposeActivation)

		c.FirstName, c.UpdatedAt = "Mal", t0.Add(time.Minute)
		c, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: c})
		f.must(err)
		if !c.EmailVerifiedAt.Equal(t0) || !f.unused(reset) {
			f.Fatalf("an update that keeps the address: EmailVerifiedAt %v, reset link unused %v", c.EmailVerifiedAt, f.unused(reset))
		}

		c.Email, c.EmailKey, c.UpdatedAt = "Victim@a.example", "victim@a.example", t0.Add(2*time.Minute)
		c, err = f.updateCustomer(storekeep.CustomerUpdate{Customer: c})
		f.must(err)
		if !c.EmailVerifiedAt.IsZero() || !f.stored(c).EmailVerifiedAt.IsZero() {
			f.Fatalf("a new address is verified at %v", c.EmailVerifiedAt)
		}
		if f.unused(reset) || f.unused(activation) {
			f.Fatal("a link mailed to the former address still works after the address changed")
		}
		if ids := f.ordersShown(c); !slices.Equal(ids, []int64{2}) {
			f.Fatalf("orders after moving to another's address: %v, want only its own attached [2]", ids)
		}
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 3, "victim@a.example", t0), At: t0}, storekeep.OrderSaved)
		if ids := f.ordersShown(c); !slices.Equal(ids, []int64{2}) {
			f.Fatalf("orders after another order of the new address: %v, want [2]", ids)
		}

		c.UpdatedAt = t0.Add(3 * time.Minute)
		c, err = f.updateCustomer(storekeep.CustomerUpdate{Customer: c, VerifyEmail: true})
		f.must(err)
		if !c.EmailVerifiedAt.Equal(c.UpdatedAt) {
			f.Fatalf("VerifyEmail set EmailVerifiedAt to %v, want %v", c.EmailVerifiedAt, c.UpdatedAt)
		}
		if ids := f.ordersShown(c); !slices.Equal(ids, []int64{1, 2, 3}) {
			f.Fatalf("orders once the new address is proved: %v, want [1 2 3]", ids)
		}
	}},
	{"AnUpdatedOrderStaysWithItsCustomerWhenANewOwnerProvesTheAddressItLeft", func(f fixture) {
		shop := f.shop("a.example")
		left := f.verifiedCustomer(shop, "old@a.example")
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 1, "old@a.example", t0), At: t0}, storekeep.OrderSaved)
		left.Email, left.EmailKey, left.UpdatedAt = "new@a.example", "new@a.example", t0.Add(time.Minute)
		left, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: left})
		f.must(err)
		next := f.verifiedCustomer(shop, "Old@a.example")
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 1, "old@a.example", t0.Add(time.Hour)), At: t0}, storekeep.OrderSaved)
		if ids := f.ordersShown(next); len(ids) != 0 {
			f.Fatalf("the address's next owner is shown %v, orders attached to the customer that left it", ids)
		}
		if ids := f.ordersShown(left); !slices.Equal(ids, []int64{1}) {
			f.Fatalf("orders of the customer that left the address, after an update: %v, want [1]", ids)
		}
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 2, "old@a.example", t0), At: t0}, storekeep.OrderSaved)
		if ids := f.ordersShown(next); !slices.Equal(ids, []int64{2}) {
			f.Fatalf("orders of the address's next owner: %v, want the one placed since, [2]", ids)
		}
	}},
	{"UpdateCustomerTakesNoVerificationFromTheCaller", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@a.example")
		c.EmailVerifiedAt, c.UpdatedAt = t0, t0.Add(time.Minute)
		got, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: c})
		f.must(err)
		if !got.EmailVerifiedAt.IsZero() {
			f.Fatalf("UpdateCustomer took EmailVerifiedAt %v from its caller", got.EmailVerifiedAt)
		}
	}},
	{"AVouchedForNewAddressIsVerifiedAndStillSpendsTheFormerAddresssLinks", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@a.example")
		reset := f.issue(c, storekeep.PurposeReset)
		c.Email, c.EmailKey, c.UpdatedAt = "ada@b.example", "ada@b.example", t0.Add(time.Minute)
		c, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: c, VerifyEmail: true})
		f.must(err)
		if !c.EmailVerifiedAt.Equal(c.UpdatedAt) || f.unused(reset) {
			f.Fatalf("EmailVerifiedAt %v, former address's link unused %v", c.EmailVerifiedAt, f.unused(reset))
		}
	}},
	{"ALinkIsIssuedOnlyToTheCustomersCurrentAddress", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@a.example")
		before := f.pending()
		tok := storekeep.CustomerToken{
			ShopID: c.ShopID, CustomerID: c.ID, Purpose: storekeep.PurposeReset, Hash: f.keys.Hash(f.token()),
			ExpiresAt: t0.Add(time.Hour), CreatedAt: t0,
		}
		former := c
		former.Email = "former@a.example"
		err := f.s.IssueCustomerToken(f.ctx, tok, f.mail(former, storekeep.TemplateReset, f.token()),
			f.audit(c, storekeep.AuditRecoverRequested, t0), 0)
		f.is(err, storekeep.ErrNotFound, "a link mailed to another address than the customer's")
		if _, err := f.s.CustomerTokenByHash(f.ctx, c.ShopID, c.ID, storekeep.PurposeReset, [][]byte{tok.Hash}); err == nil {
			f.Fatal("the token was stored")
		}
		if after := f.pending(); after != before {
			f.Fatalf("pending mail went from %d to %d", before, after)
		}
	}},
	{"CreateCustomerQueuesItsJobsInTheSameTransaction", func(f fixture) {
		shop := f.shop("a.example")
		job := func(email string) storekeep.Job {
			return storekeep.Job{ShopID: shop.ID, Kind: storekeep.JobOrdersWaiting, Locale: "fr", CreatedAt: t0,
				Recover: storekeep.RecoverRequest{Email: email, IP: "192.0.2.1", UserAgent: "ua"}}
		}
		c, err := f.s.CreateCustomer(f.ctx, storekeep.Customer{ShopID: shop.ID, Email: "ada@a.example", EmailKey: "ada@a.example",
			Tags: []string{}, State: storekeep.CustomerEnabled, CreatedAt: t0}, job("ada@a.example"))
		f.must(err)
		if c.ID == 0 || !c.EmailVerifiedAt.IsZero() {
			f.Fatalf("created %+v", c)
		}
		_, err = f.s.CreateCustomer(f.ctx, storekeep.Customer{ShopID: shop.ID, Email: "ADA@a.example", EmailKey: "ada@a.example",
			Tags: []string{}, State: storekeep.CustomerEnabled, CreatedAt: t0}, job("ada@a.example"))
		f.is(err, storekeep.ErrConflict, "a second customer with the address")
		claimed, err := f.s.Claim(f.ctx, t0.Add(time.Second), time.Minute, 10)
		f.must(err)
		want := storekeep.RecoverRequest{Email: "ada@a.example", IP: "192.0.2.1", UserAgent: "ua"}
		if len(claimed.Jobs) != 1 || claimed.Jobs[0].Kind != storekeep.JobOrdersWaiting || claimed.Jobs[0].Recover != want ||
			claimed.Jobs[0].Locale != "fr" {
			f.Fatalf("claimed %+v, want the one job of the customer stored", claimed.Jobs)
		}
	}},
	{"ReserveCustomerIDQueuesItsJobsInTheSameTransaction", func(f fixture) {
		shop := f.shop("a.example")
		job := storekeep.Job{ShopID: shop.ID, Kind: storekeep.JobAccountExists, Locale: "fr", CreatedAt: t0,
			Recover: storekeep.RecoverRequest{Email: "ada@a.example", IP: "192.0.2.1", UserAgent: "ua"}}
		id, err := f.s.ReserveCustomerID(f.ctx, job)
		f.must(err)
		_, err = f.s.CustomerByID(f.ctx, shop.ID, id)
		f.is(err, storekeep.ErrNotFound, "a reserved id")
		claimed, err := f.s.Claim(f.ctx, t0.Add(time.Second), time.Minute, 10)
		f.must(err)
		if len(claimed.Jobs) != 1 || claimed.Jobs[0].Kind != storekeep.JobAccountExists ||
			claimed.Jobs[0].Recover != job.Recover || claimed.Jobs[0].Locale != "fr" {
			f.Fatalf("claimed %+v, want the one job queued with the reservation", claimed.Jobs)
		}
	}},
	{"CountWaitingOrdersCountsTheAddresssUnattachedOrders", func(f fixture) {
		shop, other := f.shop("a.example"), f.shop("b.example")
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 1, "Ada@a.example", t0), At: t0}, storekeep.OrderSaved)
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 2, "ada@a.example", t0), At: t0}, storekeep.OrderSaved)
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(other, 3, "ada@a.example", t0), At: t0}, storekeep.OrderSaved)
		f.writeOrder(storekeep.OrderWrite{Order: storekeep.Order{ShopID: shop.ID, ID: 2}, Delete: true, At: t0}, storekeep.OrderDeleted)
		count := func() int64 {
			n, err := f.s.CountWaitingOrders(f.ctx, shop.ID, "ada@a.example")
			f.must(err)
			return n
		}
		if n := count(); n != 1 {
			f.Fatalf("waiting orders: %d, want 1", n)
		}
		f.verifiedCustomer(shop, "ada@a.example")
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 4, "ada@a.example", t0), At: t0}, storekeep.OrderSaved)
		if n := count(); n != 1 {
			f.Fatalf("waiting orders once one is attached: %d, want 1", n)
		}
	}},
}
