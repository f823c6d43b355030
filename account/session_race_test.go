package account_test

import (
	"context"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
)

// changeBeforeToken is the real store, but before a sign-in's token is
// stored it runs between, as a password change or reset that commits
// while the sign-in checks the password would.
type changeBeforeToken struct {
	account.Store
	between func(ctx context.Context, s account.Store)
}

func (c *changeBeforeToken) CreateAccessToken(ctx context.Context, t storekeep.AccessToken, verified string) (storekeep.AccessToken, error) {
	if c.between != nil {
		between := c.between
		c.between = nil
		between(ctx, c.Store)
	}
	return c.Store.CreateAccessToken(ctx, t, verified)
}

// A sign-in with the old password that is under way when the owner
// changes it (to shut out whoever knows the old one) gets no token: the
// change revokes every token, the one this sign-in would store included.
func TestASignInRacingAPasswordChangeGetsNoToken(t *testing.T) {
	w := &changeBeforeToken{}
	f := newFixtureOver(t, storekeep.EnumerationShopify, account.Config{}, func(s account.Store) account.Store { w.Store = s; return w })
	c := f.signUp("ada@example.com", "the old passphrase")
	w.between = func(ctx context.Context, s account.Store) {
		hash, err := newPasswords(t, cheap).Hash(ctx, "the owner's new passphrase")
		if err != nil {
			t.Fatal(err)
		}
		session, _, err := f.svc.NewSession(f.shop.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		rewrite(t, ctx, s, f.shop.ID, c.ID, func(c *storekeep.Customer) *storekeep.AccessToken {
			c.PasswordHash = hash
			return &session
		})
	}
	issued, err := f.svc.Login(f.ctx, f.shop, "ada@example.com", "the old passphrase", caller)
	if code(err) != storekeep.CodeUnidentifiedCustomer {
		t.Fatalf("a sign-in with the password changed under it: %+v, %v; want UNIDENTIFIED_CUSTOMER", issued, err)
	}
	if _, err := f.svc.Login(f.ctx, f.shop, "ada@example.com", "the owner's new passphrase", caller); err != nil {
		t.Fatalf("the new password: %v", err)
	}
}
