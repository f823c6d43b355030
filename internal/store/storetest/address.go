package storetest

import (
	"errors"
	"sync"
	"time"

	"github.com/storekeep/storekeep"
)

// address is a full address of c, not yet stored.
func (f fixture) newAddress(c storekeep.Customer, city string) storekeep.MailingAddress {
	return storekeep.MailingAddress{
		ShopID: c.ShopID, CustomerID: c.ID, FirstName: "Ada", LastName: "Lovelace", Company: "Analytical Engines",
		Address1: "150 Elgin St", Address2: "8th floor", City: city, Province: "Ontario", ProvinceCode: "ON",
		Country: "Canada", CountryCode: "CA", Zip: "K2P 1L4", Phone: "+16135550100", CreatedAt: t0, UpdatedAt: t0,
	}
}

func (f fixture) addAddress(c storekeep.Customer, city string) storekeep.MailingAddress {
	f.Helper()
	a, err := f.s.CreateAddress(f.ctx, f.newAddress(c, city), storekeep.MaxAddressesPerCustomer,
		f.audit(c, storekeep.AuditAddressCreated, t0))
	f.must(err)
	return a
}

// defaults returns the ids of c's addresses marked default.
func (f fixture) defaults(c storekeep.Customer) []int64 {
	f.Helper()
	list, err := f.s.Addresses(f.ctx, c.ShopID, c.ID)
	f.must(err)
	var ids []int64
	for _, a := range list {
		if a.Default {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

func (f fixture) onlyDefault(c storekeep.Customer, want int64, what string) {
	f.Helper()
	if got := f.defaults(c); len(got) != 1 || got[0] != want {
		f.Errorf("%s: default addresses %v, want only %d", what, got, want)
	}
}

var addressRules = []rule{
	{"AddressRoundTripsAndTheFirstIsTheDefault", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		want := f.newAddress(c, "Ottawa")
		got, err := f.s.CreateAddress(f.ctx, want, storekeep.MaxAddressesPerCustomer, f.audit(c, storekeep.AuditAddressCreated, t0))
		f.must(err)
		want.ID, want.Default = got.ID, true
		same(f, "CreateAddress", got, want)
		read, err := f.s.Address(f.ctx, c.ShopID, c.ID, got.ID)
		f.must(err)
		same(f, "Address", read, want)
		second := f.addAddress(c, "Toronto")
		if second.Default || second.ID <= got.ID {
			f.Errorf("second address: id %d default %v, want a later id, not default", second.ID, second.Default)
		}
		list, err := f.s.Addresses(f.ctx, c.ShopID, c.ID)
		f.must(err)
		if len(list) != 2 || list[0].ID != got.ID || list[1].ID != second.ID {
			f.Fatalf("Addresses = %+v, want both in creation order", list)
		}
	}},
	{"AddressChangesAreAudited", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		a := f.addAddress(c, "Ottawa")
		b := f.addAddress(c, "Toronto")
		read := a
		a.City = "Kingston"
		_, err := f.s.UpdateAddress(f.ctx, a, read, f.audit(c, storekeep.AuditAddressUpdated, t0.Add(time.Second)))
		f.must(err)
		f.must(f.s.SetDefaultAddress(f.ctx, c.ShopID, c.ID, b.ID, f.audit(c, storekeep.AuditDefaultAddressChanged, t0.Add(2*time.Second))))
		f.must(f.s.DeleteAddress(f.ctx, c.ShopID, c.ID, a.ID, f.audit(c, storekeep.AuditAddressDeleted, t0.Add(3*time.Second))))
		events := f.audits(c.ShopID)
		want := []struct {
			kind storekeep.AuditKind
			id   int64
		}{
			{storekeep.AuditAddressDeleted, a.ID}, {storekeep.AuditDefaultAddressChanged, b.ID},
			{storekeep.AuditAddressUpdated, a.ID}, {storekeep.AuditAddressCreated, b.ID}, {storekeep.AuditAddressCreated, a.ID},
		}
		if len(events) != len(want) {
			f.Fatalf("%d audit events, want %d", len(events), len(want))
		}
		for i, w := range want {
			if events[i].Kind != w.kind || events[i].Detail != storekeep.MailingAddressGID(w.id) || events[i].CustomerID != c.ID {
				f.Errorf("event %d = %s %q, want %s of %s", i, events[i].Kind, events[i].Detail, w.kind, storekeep.MailingAddressGID(w.id))
			}
		}
	}},
	{"ACreatedDefaultAddressTakesOverTheDefault", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		first := f.addAddress(c, "Ottawa")
		a := f.newAddress(c, "Toronto")
		a.Default = true
		second, err := f.s.CreateAddress(f.ctx, a, storekeep.MaxAddressesPerCustomer, f.audit(c, storekeep.AuditAddressCreated, t0))
		f.must(err)
		f.onlyDefault(c, second.ID, "after creating a default address")
		f.must(f.s.SetDefaultAddress(f.ctx, c.ShopID, c.ID, first.ID, f.audit(c, storekeep.AuditDefaultAddressChanged, t0)))
		f.onlyDefault(c, first.ID, "after SetDefaultAddress")
	}},
	{"DeletingTheDefaultMakesTheLatestUpdatedTheDefault", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		first := f.addAddress(c, "Ottawa")
		second := f.addAddress(c, "Toronto")
		third := f.addAddress(c, "Kingston")
		read := second
		second.UpdatedAt = t0.Add(time.Hour)
		_, err := f.s.UpdateAddress(f.ctx, second, read, f.audit(c, storekeep.AuditAddressUpdated, t0))
		f.must(err)
		f.must(f.s.DeleteAddress(f.ctx, c.ShopID, c.ID, first.ID, f.audit(c, storekeep.AuditAddressDeleted, t0)))
		f.onlyDefault(c, second.ID, "after deleting the default")
		f.must(f.s.DeleteAddress(f.ctx, c.ShopID, c.ID, third.ID, f.audit(c, storekeep.AuditAddressDeleted, t0)))
		f.onlyDefault(c, second.ID, "after deleting another address")
		f.must(f.s.DeleteAddress(f.ctx, c.ShopID, c.ID, second.ID, f.audit(c, storekeep.AuditAddressDeleted, t0)))
		if got := f.defaults(c); len(got) != 0 {
			f.Errorf("defaults %v after deleting every address", got)
		}
	}},
	{"UpdateAddressReplacesItsFieldsButNotTheDefault", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		a := f.addAddress(c, "Ottawa")
		want := a
		want.FirstName, want.LastName, want.Company, want.Address1, want.Address2 = "Grace", "Hopper", "", "1 Main St", ""
		want.City, want.Province, want.ProvinceCode, want.Country, want.CountryCode = "Tokyo", "Tokyo", "JP-13", "Japan", "JP"
		want.Zip, want.Phone, want.UpdatedAt = "100-0001", "", t0.Add(time.Hour)
		update := want
		update.Default, update.CreatedAt = false, t0.Add(time.Hour)
		got, err := f.s.UpdateAddress(f.ctx, update, a, f.audit(c, storekeep.AuditAddressUpdated, t0))
		f.must(err)
		same(f, "UpdateAddress", got, want)
		read, err := f.s.Address(f.ctx, c.ShopID, c.ID, a.ID)
		f.must(err)
		same(f, "re-read", read, want)
	}},
	{"UpdateAddressOfAnAddressChangedSinceItWasReadIsStale", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		read := f.addAddress(c, "Ottawa")
		first := read
		first.Zip = "K1A 0A6"
		kept, err := f.s.UpdateAddress(f.ctx, first, read, f.audit(c, storekeep.AuditAddressUpdated, t0))
		f.must(err)
		late := read
		late.City = "Kingston"
		_, err = f.s.UpdateAddress(f.ctx, late, read, f.audit(c, storekeep.AuditAddressUpdated, t0))
		f.is(err, storekeep.ErrStale, "UpdateAddress from the address as it was before another update")
		stored, err := f.s.Address(f.ctx, c.ShopID, c.ID, read.ID)
		f.must(err)
		same(f, "address after the stale update", stored, kept)
		if n := len(f.audits(c.ShopID)); n != 2 {
			f.Errorf("%d audit events, want the creation and the one update made", n)
		}
		late.Zip = first.Zip
		_, err = f.s.UpdateAddress(f.ctx, late, stored, f.audit(c, storekeep.AuditAddressUpdated, t0))
		f.must(err)
	}},
	{"AddressesAreTheirCustomersOnly", func(f fixture) {
		shop, other := f.shop("a.example"), f.shop("b.example")
		c, d := f.customer(shop, "ada@example.com"), f.customer(shop, "bob@example.com")
		elsewhere := f.customer(other, "ada@example.com")
		a := f.addAddress(c, "Ottawa")
		dOwn := f.addAddress(d, "Montreal")
		theft := a
		theft.CustomerID, theft.City = d.ID, "Stolen"
		for _, tc := range []struct {
			what string
			err  error
		}{
			{"Address of another customer", get(f.s.Address(f.ctx, shop.ID, d.ID, a.ID))},
			{"Address in another shop", get(f.s.Address(f.ctx, other.ID, c.ID, a.ID))},
			{"UpdateAddress by another customer", get(f.s.UpdateAddress(f.ctx, theft, a, f.audit(d, storekeep.AuditAddressUpdated, t0)))},
			{"DeleteAddress by another customer", f.s.DeleteAddress(f.ctx, shop.ID, d.ID, a.ID, f.audit(d, storekeep.AuditAddressDeleted, t0))},
			{"DeleteAddress in another shop", f.s.DeleteAddress(f.ctx, other.ID, elsewhere.ID, a.ID, f.audit(elsewhere, storekeep.AuditAddressDeleted, t0))},
			{"SetDefaultAddress by another customer", f.s.SetDefaultAddress(f.ctx, shop.ID, d.ID, a.ID, f.audit(d, storekeep.AuditDefaultAddressChanged, t0))},
			{"CreateAddress for a customer of another shop", get(f.s.CreateAddress(f.ctx, f.newAddress(storekeep.Customer{ID: c.ID, ShopID: other.ID}, "X"), 10, f.audit(c, storekeep.AuditAddressCreated, t0)))},
		} {
			f.is(tc.err, storekeep.ErrNotFound, tc.what)
		}
		read, err := f.s.Address(f.ctx, shop.ID, c.ID, a.ID)
		f.must(err)
		same(f, "address after the attempts", read, a)
		f.onlyDefault(d, dOwn.ID, "the other customer's default after a refused SetDefaultAddress")
		if list, err := f.s.Addresses(f.ctx, other.ID, c.ID); err != nil || len(list) != 0 {
			f.Errorf("Addresses in another shop = %v, %v; want none", list, err)
		}
		if n := len(f.audits(shop.ID)); n != 2 {
			f.Errorf("%d audit events, want the 2 creations only", n)
		}
	}},
	{"CreateAddressOnceStoresEachAddressOnceEvenUnderConcurrency", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		first, created, err := f.s.CreateAddressOnce(f.ctx, f.newAddress(c, "Ottawa"), storekeep.MaxAddressesPerCustomer,
			f.audit(c, storekeep.AuditAddressCreated, t0))
		f.must(err)
		if !created || !first.Default {
			f.Fatalf("the first address: created %v, %+v", created, first)
		}
		again := f.newAddress(c, "Ottawa")
		again.Country, again.CreatedAt = "Kanada", t0.Add(time.Hour)
		got, created, err := f.s.CreateAddressOnce(f.ctx, again, storekeep.MaxAddressesPerCustomer,
			f.audit(c, storekeep.AuditAddressCreated, t0))
		f.must(err)
		if created {
			f.Error("an address that reads as a held one was stored again")
		}
		same(f, "the held address", got, first)
		var wg sync.WaitGroup
		stored := make([]bool, 8)
		for i := range stored {
			wg.Go(func() {
				_, ok, err := f.s.CreateAddressOnce(f.ctx, f.newAddress(c, "Toronto"), storekeep.MaxAddressesPerCustomer,
					f.audit(c, storekeep.AuditAddressCreated, t0))
				if err != nil {
					f.Errorf("CreateAddressOnce: %v", err)
				}
				stored[i] = ok
			})
		}
		wg.Wait()
		list, err := f.s.Addresses(f.ctx, c.ShopID, c.ID)
		f.must(err)
		storedOnce := 0
		for _, ok := range stored {
			if ok {
				storedOnce++
			}
		}
		if n := len(list); n != 2 || storedOnce != 1 {
			f.Errorf("8 calls at once with one new address: stored %v, the customer holds %d addresses, want 2", stored, n)
		}
		if n := len(f.audits(c.ShopID)); n != 2 {
			f.Errorf("%d audit events, want the 2 creations only", n)
		}
	}},
	{"ACustomerHasAtMostMaxAddressesEvenUnderConcurrency", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		const max, tries = 3, 8
		var wg sync.WaitGroup
		errs := make([]error, tries)
		for i := range tries {
			wg.Go(func() {
				_, errs[i] = f.s.CreateAddress(f.ctx, f.newAddress(c, "Ottawa"), max, f.audit(c, storekeep.AuditAddressCreated, t0))
			})
		}
		wg.Wait()
		created := 0
		for _, err := range errs {
			switch {
			case err == nil:
				created++
			case !errors.Is(err, storekeep.ErrLimit):
				f.Errorf("CreateAddress: %v, want nil or ErrLimit", err)
			}
		}
		list, err := f.s.Addresses(f.ctx, c.ShopID, c.ID)
		f.must(err)
		if created != max || len(list) != max {
			f.Errorf("%d created, %d stored, want %d", created, len(list), max)
		}
		if n := len(f.defaults(c)); n != 1 {
			f.Errorf("%d default addresses, want 1", n)
		}
	}},
}
