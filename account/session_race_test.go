package account_test

import (
	"context"
	"strings"
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
		changePassword(t, ctx, f, s, c, "the owner's new passphrase")
	}
	issued, err := f.svc.Login(f.ctx, f.shop, "ada@example.com", "the old passphrase", caller)
	if code(err) != storekeep.CodeUnidentifiedCustomer {
		t.Fatalf("a sign-in with the password changed under it: %+v, %v; want UNIDENTIFIED_CUSTOMER", issued, err)
	}
	if _, err := f.svc.Login(f.ctx, f.shop, "ada@example.com", "the owner's new passphrase", caller); err != nil {
		t.Fatalf("the new password: %v", err)
	}
}

// keyRecorder is a limiter that notes the longest key it was asked about.
type keyRecorder struct {
	storekeep.Limiter
	longest int
}

func (k *keyRecorder) note(key string) { k.longest = max(k.longest, len(key)) }

func (k *keyRecorder) Allow(ctx context.Context, key string, limit storekeep.Limit) (bool, error) {
	k.note(key)
	return k.Limiter.Allow(ctx, key, limit)
}

func (k *keyRecorder) Exhausted(ctx context.Context, key string, limit storekeep.Limit) (bool, error) {
	k.note(key)
	return k.Limiter.Exhausted(ctx, key, limit)
}

// The failed-sign-in counter is named by the address: a 200 KB "email"
// (one plain line, as sign-in checks) must not become a 200 KB key held
// for 15 minutes, 60 a minute from every IP. No account has an address
// longer than storekeep.MaxEmailLength, so such a sign-in fails as a
// wrong password does, under a key of bounded size.
func TestAnOverlongSignInAddressMakesNoOverlongCounter(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, account.Config{})
	rec := &keyRecorder{Limiter: f.svc.Limiter}
	f.svc.Limiter = rec
	email := strings.Repeat("a", 200_000) + "@example.com"
	if _, err := f.svc.Login(f.ctx, f.shop, email, "a wrong passphrase", caller); code(err) != storekeep.CodeUnidentifiedCustomer {
		t.Fatalf("sign-in with a 200 KB address: %v, want UNIDENTIFIED_CUSTOMER", err)
	}
	if rec.longest > 64+storekeep.MaxEmailLength {
		t.Errorf("a limiter key of %d bytes for one sign-in", rec.longest)
	}
}
