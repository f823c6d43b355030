package storetest

import (
	"errors"
	"fmt"

	"github.com/storekeep/storekeep"
)

// staleRules hold UpdateCustomer's check of its read to every write of
// the customer, whatever the times they stamp: a clock stepped back, a
// coarse one or two writes in one tick give two writes the same
// updated_at, and the later of two updates made from one read must
// still find its read overtaken.
var staleRules = []rule{
	{"TheSecondOfTwoUpdatesFromOneReadAtOneInstantIsStale", func(f fixture) {
		s := f.shop("a.example")
		read := f.verifiedCustomer(s, "ada@example.com")
		first := read
		first.FirstName, first.Tags, first.AcceptsMarketing = "Augusta", []string{"poet"}, true
		first.UpdatedAt = read.UpdatedAt
		want, err := f.s.UpdateCustomer(f.ctx, storekeep.CustomerUpdate{Customer: first, Read: read})
		f.must(err)
		if !want.UpdatedAt.Equal(read.UpdatedAt) {
			f.Fatalf("the first update stamped %v, want the read's %v", want.UpdatedAt, read.UpdatedAt)
		}
		second := read
		second.Email, second.EmailKey, second.LastName = "countess@example.com", "countess@example.com", "King"
		second.UpdatedAt = read.UpdatedAt
		_, err = f.s.UpdateCustomer(f.ctx, storekeep.CustomerUpdate{Customer: second, Read: read})
		f.is(err, storekeep.ErrStale, "the second update from the read the first overtook")
		got, err := f.s.CustomerByID(f.ctx, s.ID, read.ID)
		f.must(err)
		same(f, "customer after the stale update", got, want)
	}},
	{"EveryWriteOfACustomerMakesAnUpdateFromAnEarlierReadStale", func(f fixture) {
		s := f.shop("a.example")
		for i, tc := range []struct {
			what  string
			state storekeep.CustomerState
			write func(read storekeep.Customer)
		}{
			{"an update stamped at the read's updated_at", storekeep.CustomerEnabled, func(read storekeep.Customer) {
				c := read
				c.FirstName, c.Tags, c.AcceptsMarketing = "Augusta", []string{"poet"}, true
				f.must(get(f.s.UpdateCustomer(f.ctx, storekeep.CustomerUpdate{Customer: c, Read: read})))
			}},
			{"a verification of the address at the read's updated_at", storekeep.CustomerEnabled, func(read storekeep.Customer) {
				f.must(get(f.s.UpdateCustomer(f.ctx, storekeep.CustomerUpdate{Customer: read, Read: read, VerifyEmail: true})))
			}},
			{"a password rehash", storekeep.CustomerEnabled, func(read storekeep.Customer) {
				f.must(f.s.ReplacePasswordHash(f.ctx, read.ShopID, read.ID, read.PasswordHash, "$argon2id$rehashed"))
			}},
			{"an activation at the read's updated_at", storekeep.CustomerInvited, func(read storekeep.Customer) {
				tok := f.issue(read, storekeep.PurposeActivation)
				f.must(get(f.s.RedeemCustomerToken(f.ctx, f.redemption(tok, "$argon2id$activated", read.UpdatedAt))))
			}},
			{"a reset to the same hash at the read's updated_at", storekeep.CustomerEnabled, func(read storekeep.Customer) {
				tok := f.issue(read, storekeep.PurposeReset)
				f.must(get(f.s.RedeemCustomerToken(f.ctx, f.redemption(tok, read.PasswordHash, read.UpdatedAt))))
			}},
		} {
			c := f.customerIn(s, fmt.Sprintf("c%d@example.com", i), tc.state)
			read, err := f.s.CustomerByID(f.ctx, s.ID, c.ID)
			f.must(err)
			tc.write(read)
			now, err := f.s.CustomerByID(f.ctx, s.ID, c.ID)
			f.must(err)
			edit := read
			edit.Email, edit.EmailKey = fmt.Sprintf("countess%d@example.com", i), fmt.Sprintf("countess%d@example.com", i)
			edit.LastName, edit.Tags, edit.AcceptsMarketing = "King", []string{"stale"}, false
			_, err = f.s.UpdateCustomer(f.ctx, storekeep.CustomerUpdate{Customer: edit, Read: read})
			if !errors.Is(err, storekeep.ErrStale) {
				f.Errorf("an update from a read before %s: err = %v, want ErrStale", tc.what, err)
			}
			got, err := f.s.CustomerByID(f.ctx, s.ID, c.ID)
			f.must(err)
			same(f, "customer after a stale update following "+tc.what, got, now)
		}
	}},
}

// customerIn creates a customer of shop in state, with a password unless
// invited, and an unproven address, last written at t0.
func (f fixture) customerIn(shop storekeep.Shop, email string, state storekeep.CustomerState) storekeep.Customer {
	f.Helper()
	c := storekeep.Customer{
		ShopID: shop.ID, Email: email, EmailKey: storekeep.NormalizeEmail(email),
		FirstName: "Ada", LastName: "Lovelace", Tags: []string{"vip"}, AcceptsMarketing: true,
		State: state, CreatedAt: t0, UpdatedAt: t0,
	}
	if state != storekeep.CustomerInvited {
		c.PasswordHash = "$argon2id$read"
	}
	c, err := f.s.CreateCustomer(f.ctx, c)
	f.must(err)
	return c
}
