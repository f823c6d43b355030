package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
)

// LegacyOrders is a store under test, migrated up to the schema before
// customers' addresses could be proven, that also stores an order's row as
// that schema has it.
type LegacyOrders interface {
	LegacyCustomers
	// InsertLegacyOrder stores an order of emailKey attached to customerID.
	InsertLegacyOrder(ctx context.Context, shopID, id, customerID int64, emailKey string) error
}

// VerifiedEmailMigration holds a backend's migration 60: customers from
// before it have proved nothing, so their orders are hidden until they
// prove their address. open returns a fresh store migrated up to the
// migration before it, and the function that applies the rest; the suite
// closes the store.
func VerifiedEmailMigration(t *testing.T, open func(t *testing.T) (LegacyOrders, func(context.Context) error)) {
	s, migrate := open(t)
	t.Cleanup(func() { s.Close() })
	f := newFixture(t, s)
	shop := f.shop("a.example")
	id, err := s.InsertLegacyCustomer(f.ctx, shop.ID, "ada@a.example", "ada@a.example")
	f.must(err)
	f.must(s.InsertLegacyOrder(f.ctx, shop.ID, 1, id, "ada@a.example"))
	f.must(migrate(f.ctx))

	c, err := s.CustomerByID(f.ctx, shop.ID, id)
	f.must(err)
	if !c.EmailVerifiedAt.IsZero() {
		f.Fatalf("a customer from before the migration is verified at %v", c.EmailVerifiedAt)
	}
	o, err := s.OrderByID(f.ctx, shop.ID, 1)
	f.must(err)
	if o.CustomerID != 0 {
		f.Fatalf("the order is still attached to customer %d", o.CustomerID)
	}
	if got := f.ordersShown(c); len(got) != 0 {
		f.Fatalf("before proving its address the customer is shown %v", got)
	}
	c, err = s.RedeemCustomerToken(f.ctx, f.redemption(f.issue(c, storekeep.PurposeReset), "$argon2id$x", t0.Add(time.Hour)))
	f.must(err)
	if got := f.ordersShown(c); !slices.Equal(got, []int64{1}) {
		f.Fatalf("after a reset the customer is shown %v, want [1]", got)
	}
}
