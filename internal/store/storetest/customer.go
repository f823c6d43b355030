package storetest

import (
	"fmt"
	"slices"
	"time"

	"github.com/storekeep/storekeep"
)

var customerRules = []rule{
	{"CustomerRoundTrips", func(f fixture) {
		s := f.shop("a.example")
		want := storekeep.Customer{
			ShopID: s.ID, Email: "Ada@Example.com", EmailKey: "ada@example.com", FirstName: "Ada", LastName: "Lovelace",
			Phone: "+15555550100", AcceptsMarketing: true, Tags: []string{"vip", "wholesale"},
			State: storekeep.CustomerEnabled, PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA",
			NumberOfOrders: 3, CreatedAt: t0, UpdatedAt: t0.Add(time.Second),
		}
		c, err := f.s.CreateCustomer(f.ctx, want)
		f.must(err)
		want.ID = c.ID
		same(f, "CreateCustomer", c, want)
		got, err := f.s.CustomerByID(f.ctx, s.ID, c.ID)
		f.must(err)
		same(f, "CustomerByID", got, want)
		got, err = f.s.CustomerByEmail(f.ctx, s.ID, "ada@example.com")
		f.must(err)
		same(f, "CustomerByEmail", got, want)
		list, err := f.s.CustomersByEmail(f.ctx, s.ID, []string{"nobody@example.com", "ada@example.com"})
		f.must(err)
		if len(list) != 1 {
			f.Fatalf("CustomersByEmail found %d customers, want Ada alone", len(list))
		}
		same(f, "CustomersByEmail", list[0], want)
	}},
	{"CustomersByEmailFindsTheShopsCustomersOfEveryKeyInOneCall", func(f fixture) {
		a, b := f.shop("a.example"), f.shop("b.example")
		ada, bob := f.customer(a, "ada@example.com"), f.customer(a, "bob@example.com")
		f.customer(b, "cy@example.com")
		f.customer(a, "dee@example.com")
		list, err := f.s.CustomersByEmail(f.ctx, a.ID, []string{"bob@example.com", "cy@example.com", "ada@example.com",
			"ada@example.com", "eve@example.com"})
		f.must(err)
		var got []int64
		for _, c := range list {
			got = append(got, c.ID)
		}
		slices.Sort(got)
		if want := []int64{ada.ID, bob.ID}; !slices.Equal(got, want) {
			f.Errorf("CustomersByEmail found %v, want Ada and Bob, each once: %v", got, want)
		}
		if none, err := f.s.CustomersByEmail(f.ctx, a.ID, nil); err != nil || len(none) != 0 {
			f.Errorf("CustomersByEmail of no keys = %v, %v; want none", none, err)
		}
	}},
	{"CustomerIDsArePositiveAndDistinctAcrossShops", func(f fixture) {
		a, b := f.shop("a.example"), f.shop("b.example")
		seen := map[int64]bool{}
		for _, c := range []storekeep.Customer{
			f.customer(a, "x@example.com"), f.customer(a, "y@example.com"), f.customer(b, "x@example.com"),
		} {
			if c.ID <= 0 || seen[c.ID] {
				f.Fatalf("customer ID %d: want positive and not seen before", c.ID)
			}
			seen[c.ID] = true
		}
	}},
	{"ReservedCustomerIDsFollowTheSequenceAndAreNeverGiven", func(f fixture) {
		a := f.shop("a.example")
		first, err := f.s.ReserveCustomerID(f.ctx)
		f.must(err)
		x := f.customer(a, "x@example.com")
		reserved, err := f.s.ReserveCustomerID(f.ctx)
		f.must(err)
		y := f.customer(a, "y@example.com")
		if first <= 0 || x.ID != first+1 || reserved != x.ID+1 || y.ID != reserved+1 {
			f.Fatalf("reserved %d, created %d, reserved %d, created %d: want one sequence", first, x.ID, reserved, y.ID)
		}
		_, err = f.s.CustomerByID(f.ctx, a.ID, reserved)
		f.is(err, storekeep.ErrNotFound, "a reserved id")
	}},
	{"EmailKeyIsUniquePerShop", func(f fixture) {
		a, b := f.shop("a.example"), f.shop("b.example")
		first := f.customer(a, "ada@example.com")
		_, err := f.s.CreateCustomer(f.ctx, storekeep.Customer{
			ShopID: a.ID, Email: "ADA@example.com", EmailKey: "ada@example.com", State: storekeep.CustomerEnabled, CreatedAt: t0,
		})
		f.is(err, storekeep.ErrConflict, "same email key in the same shop")
		second := f.customer(b, "ada@example.com")
		for _, want := range []storekeep.Customer{first, second} {
			got, err := f.s.CustomerByEmail(f.ctx, want.ShopID, "ada@example.com")
			f.must(err)
			same(f, "CustomerByEmail", got, want)
		}
	}},
	{"CustomerLookupsAreScopedToTheShop", func(f fixture) {
		a, b := f.shop("a.example"), f.shop("b.example")
		c := f.customer(a, "ada@example.com")
		for _, tc := range []struct {
			what string
			err  error
		}{
			{"CustomerByID in another shop", get(f.s.CustomerByID(f.ctx, b.ID, c.ID))},
			{"CustomerByID of an unknown id", get(f.s.CustomerByID(f.ctx, a.ID, c.ID+1000))},
			{"CustomerByEmail in another shop", get(f.s.CustomerByEmail(f.ctx, b.ID, "ada@example.com"))},
			{"CustomerByEmail of an unknown email", get(f.s.CustomerByEmail(f.ctx, a.ID, "bob@example.com"))},
		} {
			f.is(tc.err, storekeep.ErrNotFound, tc.what)
		}
	}},
	{"UpdateCustomerReplacesTheProfile", func(f fixture) {
		s := f.shop("a.example")
		c := f.customer(s, "ada@example.com")
		other := f.customer(s, "bob@example.com")
		want := c
		want.Email, want.EmailKey = "Countess@Example.com", "countess@example.com"
		want.FirstName, want.LastName, want.Phone = "Augusta", "King", "+15555550199"
		want.AcceptsMarketing, want.Tags, want.State = true, []string{"poet"}, storekeep.CustomerEnabled
		want.PasswordHash, want.UpdatedAt, want.Version = "$argon2id$new", t0.Add(time.Hour), c.Version+1
		got, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: want})
		f.must(err)
		same(f, "UpdateCustomer", got, want)
		got, err = f.s.CustomerByEmail(f.ctx, s.ID, "countess@example.com")
		f.must(err)
		same(f, "re-read", got, want)
		_, err = f.s.CustomerByEmail(f.ctx, s.ID, "ada@example.com")
		f.is(err, storekeep.ErrNotFound, "old email")
		got, err = f.s.CustomerByID(f.ctx, s.ID, other.ID)
		f.must(err)
		same(f, "other customer", got, other)
	}},
	{"UpdateCustomerToATakenEmailIsConflictAndChangesNothing", func(f fixture) {
		s := f.shop("a.example")
		c := f.customer(s, "ada@example.com")
		f.customer(s, "bob@example.com")
		old := f.accessToken(c, t0.Add(time.Hour))
		fresh := storekeep.AccessToken{Hash: f.keys.Hash(f.token()), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}
		m := f.mail(c, storekeep.TemplatePasswordChanged, f.token())
		update := c
		update.Email, update.EmailKey, update.FirstName = "bob@example.com", "bob@example.com", "Changed"
		_, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: update, AccessToken: &fresh, Mails: []storekeep.Mail{m},
			Audit: []storekeep.AuditEvent{f.audit(c, storekeep.AuditEmailChanged, t0)}})
		f.is(err, storekeep.ErrConflict, "UpdateCustomer to a taken email")
		got, err := f.s.CustomerByID(f.ctx, s.ID, c.ID)
		f.must(err)
		same(f, "customer after conflict", got, c)
		if !f.live(old, t0) {
			f.Error("earlier access token revoked by a failed update")
		}
		fresh.ShopID = s.ID
		if f.live(fresh, t0) {
			f.Error("access token of a failed update stored")
		}
		if n := f.pending(); n != 0 {
			f.Errorf("%d mails queued by a failed update", n)
		}
		if n := len(f.audits(s.ID)); n != 0 {
			f.Errorf("%d audit events recorded by a failed update", n)
		}
	}},
	{"UpdateCustomerRecordsItsAuditEvents", func(f fixture) {
		s := f.shop("a.example")
		c := f.customer(s, "ada@example.com")
		update := c
		update.Email, update.EmailKey, update.UpdatedAt = "ada@example.org", "ada@example.org", t0.Add(time.Minute)
		email := f.audit(c, storekeep.AuditEmailChanged, t0.Add(time.Minute))
		email.Detail = c.Email
		password := f.audit(c, storekeep.AuditPasswordChanged, t0.Add(time.Minute))
		_, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: update, Audit: []storekeep.AuditEvent{email, password}})
		f.must(err)
		got := f.audits(s.ID)
		if len(got) != 2 {
			f.Fatalf("%d audit events, want 2", len(got))
		}
		for i, want := range []storekeep.AuditEvent{password, email} {
			want.ID = got[i].ID
			same(f, fmt.Sprintf("audit event %d", i), got[i], want)
		}
	}},
	{"UpdateCustomerOfAStaleReadChangesNothing", func(f fixture) {
		s := f.shop("a.example")
		read := f.verifiedCustomer(s, "ada@example.com")
		read.PasswordHash = "$argon2id$old"
		read, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: read})
		f.must(err)
		reset := f.issue(read, storekeep.PurposeReset)
		queued := f.pending()
		for _, tc := range []struct {
			what  string
			write func(c storekeep.Customer) storekeep.Customer
		}{
			{"a new password hash", func(c storekeep.Customer) storekeep.Customer {
				f.must(f.s.ReplacePasswordHash(f.ctx, c.ShopID, c.ID, c.PasswordHash, "$argon2id$rehashed"))
				c.PasswordHash, c.Version = "$argon2id$rehashed", c.Version+1
				return c
			}},
			{"a new state", func(c storekeep.Customer) storekeep.Customer {
				c.State = storekeep.CustomerDisabled
				c, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: c})
				f.must(err)
				return c
			}},
			{"a new updated_at alone", func(c storekeep.Customer) storekeep.Customer {
				c.FirstName, c.UpdatedAt = "Augusta", c.UpdatedAt.Add(time.Second)
				c, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: c})
				f.must(err)
				return c
			}},
		} {
			stale, err := f.s.CustomerByID(f.ctx, s.ID, read.ID)
			f.must(err)
			now := tc.write(stale)
			old := f.accessToken(now, t0.Add(time.Hour))
			fresh := storekeep.AccessToken{ShopID: s.ID, CustomerID: read.ID, Hash: f.keys.Hash(f.token()), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}
			edit := stale
			edit.Email, edit.EmailKey, edit.LastName = "countess@example.com", "countess@example.com", "King"
			edit.UpdatedAt = stale.UpdatedAt.Add(time.Minute)
			_, err = f.s.UpdateCustomer(f.ctx, storekeep.CustomerUpdate{Customer: edit, Read: stale, AccessToken: &fresh,
				Mails: []storekeep.Mail{f.mail(edit, storekeep.TemplateEmailChanged, f.token())}})
			f.is(err, storekeep.ErrStale, "UpdateCustomer after "+tc.what)
			got, err := f.s.CustomerByID(f.ctx, s.ID, read.ID)
			f.must(err)
			same(f, "customer after a stale update following "+tc.what, got, now)
			if !f.live(old, t0) || f.live(fresh, t0) {
				f.Errorf("after %s: a stale update rotated the access tokens", tc.what)
			}
			if !f.unused(reset) {
				f.Errorf("after %s: a stale update of the email spent the reset token", tc.what)
			}
			if n := f.pending() - queued; n != 0 {
				f.Errorf("after %s: a stale update queued %d mails", tc.what, n)
			}
		}
		current, err := f.s.CustomerByID(f.ctx, s.ID, read.ID)
		f.must(err)
		edit := current
		edit.LastName = "King"
		got, err := f.s.UpdateCustomer(f.ctx, storekeep.CustomerUpdate{Customer: edit, Read: current})
		f.must(err)
		edit.Version++
		same(f, "an update of the current read", got, edit)
	}},
	{"ReplacePasswordHashReplacesOnlyTheHashItWasGiven", func(f fixture) {
		c := f.customer(f.shop("a.example"), "ada@example.com")
		c.PasswordHash = "$old"
		c, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: c})
		f.must(err)
		f.is(f.s.ReplacePasswordHash(f.ctx, c.ShopID, c.ID, "$stale", "$new"), storekeep.ErrNotFound, "replace a stale hash")
		f.is(f.s.ReplacePasswordHash(f.ctx, c.ShopID+1, c.ID, "$old", "$new"), storekeep.ErrNotFound, "replace in another shop")
		f.must(f.s.ReplacePasswordHash(f.ctx, c.ShopID, c.ID, "$old", "$new"))
		got, err := f.s.CustomerByID(f.ctx, c.ShopID, c.ID)
		f.must(err)
		want := c
		want.PasswordHash, want.Version = "$new", c.Version+1
		same(f, "customer after the replace", got, want)
	}},
	{"UpdateGoneCustomerIsNotFound", func(f fixture) {
		a, b := f.shop("a.example"), f.shop("b.example")
		c := f.customer(a, "ada@example.com")
		gone := c
		gone.ID += 1000
		_, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: gone})
		f.is(err, storekeep.ErrNotFound, "unknown id")
		elsewhere := c
		elsewhere.ShopID = b.ID
		_, err = f.updateCustomer(storekeep.CustomerUpdate{Customer: elsewhere})
		f.is(err, storekeep.ErrNotFound, "customer of another shop")
	}},
	{"UpdateCustomerWithAnAccessTokenRevokesEarlierOnesAndQueuesItsMails", func(f fixture) {
		s := f.shop("a.example")
		c, other := f.customer(s, "ada@example.com"), f.customer(s, "bob@example.com")
		earlier := []storekeep.AccessToken{f.accessToken(c, t0.Add(time.Hour)), f.accessToken(c, t0.Add(2*time.Hour))}
		kept := f.accessToken(other, t0.Add(time.Hour))
		fresh := storekeep.AccessToken{ShopID: s.ID, CustomerID: c.ID, Hash: f.keys.Hash(f.token()), ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}
		m := f.mail(c, storekeep.TemplatePasswordChanged, f.token())
		notice := f.mail(c, storekeep.TemplateEmailChanged, f.token())
		update := c
		update.PasswordHash, update.UpdatedAt = "$argon2id$changed", t0
		_, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: update, AccessToken: &fresh, Mails: []storekeep.Mail{m, notice}})
		f.must(err)
		for _, t := range earlier {
			if f.live(t, t0) {
				f.Errorf("earlier access token %d still live", t.ID)
			}
		}
		if !f.live(fresh, t0) {
			f.Error("new access token not stored")
		}
		if !f.live(kept, t0) {
			f.Error("another customer's access token revoked")
		}
		mails := f.claimAll(t0)
		if len(mails) != 2 || mails[0].Data.URL != m.Data.URL || mails[1].Data.URL != notice.Data.URL {
			f.Fatalf("queued mails = %+v, want the update's two mails in order", mails)
		}
	}},
	{"ANewPasswordSpendsTheResetLinksMailedBeforeIt", func(f fixture) {
		s := f.shop("a.example")
		c := f.customer(s, "ada@example.com")
		other := f.customer(s, "bob@example.com")
		reset, activation, others := f.issue(c, storekeep.PurposeReset), f.issue(c, storekeep.PurposeActivation), f.issue(other, storekeep.PurposeReset)
		rename := c
		rename.FirstName = "Augusta"
		c, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: rename})
		f.must(err)
		if !f.unused(reset) {
			f.Fatal("a profile update without a new password spent the reset link")
		}
		change := c
		change.PasswordHash, change.UpdatedAt = "$argon2id$changed", t0.Add(time.Minute)
		_, err = f.updateCustomer(storekeep.CustomerUpdate{Customer: change})
		f.must(err)
		for _, tc := range []struct {
			what   string
			tok    issued
			unused bool
		}{
			{"reset link mailed before the change", reset, false},
			{"activation link", activation, true},
			{"another customer's reset link", others, true},
		} {
			if got := f.unused(tc.tok); got != tc.unused {
				f.Errorf("%s unused = %v, want %v", tc.what, got, tc.unused)
			}
		}
		_, err = f.s.RedeemCustomerToken(f.ctx, f.redemption(reset, "$argon2id$attacker", t0.Add(2*time.Minute)))
		f.is(err, storekeep.ErrTokenSpent, "redeeming a reset link mailed before the change")
	}},
	{"UpdateCustomerWithoutAnAccessTokenKeepsTokens", func(f fixture) {
		s := f.shop("a.example")
		c := f.customer(s, "ada@example.com")
		t := f.accessToken(c, t0.Add(time.Hour))
		update := c
		update.FirstName = "Augusta"
		_, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: update})
		f.must(err)
		if !f.live(t, t0) {
			f.Error("access token revoked by a profile update")
		}
		if n := f.pending(); n != 0 {
			f.Errorf("%d mails queued without a mail", n)
		}
	}},
}

// get drops a look-up's value, keeping its error.
func get[T any](_ T, err error) error { return err }
