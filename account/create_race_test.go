package account_test

import (
	"context"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
)

// aroundCreate is the real store, but its first CreateCustomer runs
// before just before the insert and after just after it, as requests
// that commit around a sign-up's insert would.
type aroundCreate struct {
	account.Store
	before, after func(ctx context.Context, s account.Store)
	ran           bool
}

func (a *aroundCreate) CreateCustomer(ctx context.Context, c storekeep.Customer, jobs ...storekeep.Job) (storekeep.Customer, error) {
	if a.ran || a.before == nil {
		return a.Store.CreateCustomer(ctx, c, jobs...)
	}
	a.ran = true
	a.before(ctx, a.Store)
	defer a.after(ctx, a.Store)
	return a.Store.CreateCustomer(ctx, c, jobs...)
}

// A customerCreate whose address another account moves to just before the
// insert (the insert then conflicts) and away again just after it (the
// re-read then finds nobody) is answered TAKEN or succeeds; it must not
// fail with the store's ErrNotFound, which the API turns into
// INTERNAL_SERVER_ERROR and an ERROR log line. The other account is the
// client's own, moved with customerUpdate, so the client can set this up.
func TestSignUpRacingAnAddressThatComesAndGoesIsNeverAnInternalError(t *testing.T) {
	for _, mode := range []storekeep.Enumeration{storekeep.EnumerationShopify, storekeep.EnumerationPrivate} {
		t.Run(string(mode), func(t *testing.T) {
			w := &aroundCreate{}
			f := newFixtureOver(t, mode, account.Config{}, func(s account.Store) account.Store { w.Store = s; return w })
			rival := f.signUp("rival@example.com", "rivals-secret-1")
			move := func(ctx context.Context, s account.Store, email string) {
				read, err := s.CustomerByID(ctx, f.shop.ID, rival.ID)
				if err != nil {
					t.Fatal(err)
				}
				c := read
				c.Email, c.EmailKey = email, storekeep.NormalizeEmail(email)
				if _, err := s.UpdateCustomer(ctx, storekeep.CustomerUpdate{Customer: c, Read: read}); err != nil {
					t.Fatal(err)
				}
			}
			w.before = func(ctx context.Context, s account.Store) { move(ctx, s, "contested@example.com") }
			w.after = func(ctx context.Context, s account.Store) { move(ctx, s, "rival@example.com") }
			_, err := f.svc.Create(f.ctx, f.shop, account.CreateInput{Email: "contested@example.com", Password: "victims-secret-1"}, caller)
			if err != nil && code(err) != storekeep.CodeTaken {
				t.Fatalf("customerCreate: %v, want TAKEN or success", err)
			}
		})
	}
}
