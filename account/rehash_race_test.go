package account_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/ratelimit"
	"github.com/storekeep/storekeep/password"
)

// A customer whose hash was made with older settings signs in on two
// nodes at once (two browsers, or a retried request that landed on the
// other node) with the right password. Nothing about the password
// changes: the other node's sign-in only replaces the hash with one of the
// current settings (the opportunistic rehash). Both sign-ins get a token.
func TestASignInRacingAnotherNodesRehashStillGetsItsToken(t *testing.T) {
	w := &changeBeforeToken{}
	var store account.Store
	f := newFixtureOver(t, storekeep.EnumerationShopify, account.Config{}, func(s account.Store) account.Store {
		store = s
		w.Store = s
		return w
	})
	// The account's hash was made before --hash-time was lowered/raised:
	// other parameters than the nodes' hasher.
	old, err := newPasswords(t, password.Params{Memory: password.MinMemory, Time: 2, Threads: 1}).Hash(f.ctx, "the right passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if !newPasswords(t, cheap).NeedsRehash(old) {
		t.Fatal("fixture: the old hash does not need a rehash")
	}
	if _, err := f.store.CreateCustomer(f.ctx, storekeep.Customer{ShopID: f.shop.ID, Email: "ada@example.com",
		EmailKey: "ada@example.com", State: storekeep.CustomerEnabled, PasswordHash: old, CreatedAt: f.now, UpdatedAt: f.now}); err != nil {
		t.Fatal(err)
	}
	// The other node: same store, its own turns and hasher (same settings).
	other := account.New(account.Deps{
		Store:     store,
		Limiter:   ratelimit.NewMemory(func() time.Time { return f.now }, 0, slog.New(slog.NewTextHandler(io.Discard, nil))),
		Keys:      f.svc.Keys,
		Passwords: newPasswords(t, cheap),
		Now:       func() time.Time { return f.now },
	}, account.Config{})
	w.between = func(ctx context.Context, _ account.Store) {
		if _, err := other.Login(ctx, f.shop, "ada@example.com", "the right passphrase", caller); err != nil {
			t.Errorf("the other node's sign-in: %v", err)
		}
	}
	if _, err := f.svc.Login(f.ctx, f.shop, "ada@example.com", "the right passphrase", caller); err != nil {
		t.Fatalf("a sign-in with the right, unchanged password while another node rehashed it: %v", err)
	}
}
