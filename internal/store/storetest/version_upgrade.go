package storetest

import (
	"context"
	"testing"

	"github.com/storekeep/storekeep"
)

// CustomerVersionMigration holds a backend's migration 80, which gives
// customers a version: customers from before it start at 0 and count
// their writes from there, and its Down drops the version, keeping the
// customers, so that Up adds it again. open
// returns a fresh store migrated up to the migration before it, the
// function that applies the rest and the one that undoes them; the suite
// closes the store.
func CustomerVersionMigration(t *testing.T, open func(t *testing.T) (s LegacyCustomers, up, down func(context.Context) error)) {
	s, up, down := open(t)
	t.Cleanup(func() { s.Close() })
	f := newFixture(t, s)
	shop := f.shop("a.example")
	id, err := s.InsertLegacyCustomer(f.ctx, shop.ID, "ada@a.example", "ada@a.example")
	f.must(err)
	f.must(up(f.ctx))

	read, err := s.CustomerByID(f.ctx, shop.ID, id)
	f.must(err)
	if read.Version != 0 {
		f.Fatalf("a customer from before the migration has version %d, want 0", read.Version)
	}
	edit := read
	edit.FirstName = "Augusta"
	got, err := s.UpdateCustomer(f.ctx, storekeep.CustomerUpdate{Customer: edit, Read: read})
	f.must(err)
	if got.Version != 1 || got.FirstName != "Augusta" {
		f.Fatalf("updated from its first read: %+v, want version 1", got)
	}
	edit.LastName = "King"
	_, err = s.UpdateCustomer(f.ctx, storekeep.CustomerUpdate{Customer: edit, Read: read})
	f.is(err, storekeep.ErrStale, "a second update from the first read")

	f.must(down(f.ctx))
	if _, err := s.CustomerByID(f.ctx, shop.ID, id); err == nil {
		f.Fatal("after the migration's Down the store still reads a customer's version")
	}
	if email, err := s.LegacyCustomerEmail(f.ctx, shop.ID, "ada@a.example"); err != nil || email != "ada@a.example" {
		f.Fatalf("after the migration's Down the customer is %q, %v", email, err)
	}
	f.must(up(f.ctx))
	again, err := s.CustomerByID(f.ctx, shop.ID, id)
	f.must(err)
	if again.Version != 0 || again.FirstName != "Augusta" {
		f.Fatalf("after Down and Up: %+v, want the customer as updated, at version 0", again)
	}
}
