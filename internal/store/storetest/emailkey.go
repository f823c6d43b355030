package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
)

// legacyCustomer is a row stored under the older address rules, whose key
// was the address lower-cased with Unicode case mapping.
type legacyCustomer struct{ email, key string }

// LegacyCustomers is a store under test, migrated up to the schema before
// the address rules, that reads and writes customers' rows as that schema
// has them (later migrations add columns the store's own queries name).
type LegacyCustomers interface {
	storekeep.Store
	// InsertLegacyCustomer stores an enabled customer and returns its id.
	InsertLegacyCustomer(ctx context.Context, shopID int64, email, key string) (int64, error)
	// LegacyCustomerEmail returns the email of the customer with that key.
	LegacyCustomerEmail(ctx context.Context, shopID int64, key string) (string, error)
}

// EmailKeyMigration holds a backend's migration of stored addresses to the
// rules of storekeep.ParseEmail. open returns a fresh store migrated up to
// the migration before that one, and the function that applies the rest;
// the suite closes the store.
func EmailKeyMigration(t *testing.T, open func(t *testing.T) (LegacyCustomers, func(context.Context) error)) {
	seed := func(t *testing.T, rows ...legacyCustomer) (LegacyCustomers, storekeep.Shop, func(context.Context) error, []storekeep.Customer) {
		s, migrate := open(t)
		t.Cleanup(func() { s.Close() })
		f := newFixture(t, s)
		shop := f.shop("shop.example")
		var made []storekeep.Customer
		for _, r := range rows {
			id, err := s.InsertLegacyCustomer(f.ctx, shop.ID, r.email, r.key)
			f.must(err)
			made = append(made, storekeep.Customer{ID: id, ShopID: shop.ID, Email: r.email, EmailKey: r.key})
		}
		return s, shop, migrate, made
	}
	t.Run("RekeysAddressesToTheirASCIIDomain", func(t *testing.T) {
		s, shop, migrate, made := seed(t,
			legacyCustomer{"Ann@ＥＸＡＭＰＬＥ.com", "ann@ｅｘａｍｐｌｅ.com"},
			legacyCustomer{"victim@gmaİl.com", "victim@gmai̇l.com"},
			legacyCustomer{"bob@example.com", "bob@example.com"})
		if err := migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		for i, want := range []string{"Ann@example.com", "victim@xn--gmail-bgd.com", "bob@example.com"} {
			c, err := s.CustomerByEmail(t.Context(), shop.ID, storekeep.NormalizeEmail(want))
			if err != nil || c.ID != made[i].ID || c.Email != want {
				t.Errorf("customer %d under %q: %+v, %v", made[i].ID, want, c, err)
			}
		}
	})
	t.Run("FailsLoudlyWhenTwoCustomersShareAMailbox", func(t *testing.T) {
		s, shop, migrate, made := seed(t,
			legacyCustomer{"victim@gmail.com", "victim@gmail.com"},
			legacyCustomer{"Victim@ｇｍａｉｌ.com", "victim@ｇｍａｉｌ.com"},
			legacyCustomer{"\u212Aate@example.com", "kate@example.com"},
			legacyCustomer{"Ann@ＥＸＡＭＰＬＥ.com", "ann@ｅｘａｍｐｌｅ.com"})
		err := migrate(t.Context())
		if err == nil {
			t.Fatal("the migration merged two customers' addresses")
		}
		for _, c := range made[:3] {
			if !strings.Contains(err.Error(), c.Email) {
				t.Errorf("error %q does not name customer %d, %q", err, c.ID, c.Email)
			}
		}
		email, err := s.LegacyCustomerEmail(t.Context(), shop.ID, "ann@ｅｘａｍｐｌｅ.com")
		if err != nil || email != "Ann@ＥＸＡＭＰＬＥ.com" {
			t.Errorf("the failed migration changed a row: %q, %v", email, err)
		}
		if err := s.Ping(t.Context()); err == nil {
			t.Error("Ping succeeded with the migration failed")
		}
	})
}
