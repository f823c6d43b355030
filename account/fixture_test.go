package account_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/ratelimit"
	"github.com/storekeep/storekeep/internal/store/sqlite"
	"github.com/storekeep/storekeep/internal/store/sqlite/sqlitetest"
	"github.com/storekeep/storekeep/password"
)

// cheap are the cheapest argon2id parameters the hasher accepts.
var cheap = password.Params{Memory: password.MinMemory, Time: 1, Threads: 1}

// fixture is an account service over a real SQLite store, a real
// in-memory limiter and real argon2id, with a clock the test moves.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	store *sqlite.Store
	svc   *account.Service
	shop  storekeep.Shop
	now   time.Time
}

var caller = storekeep.Caller{IP: "203.0.113.5", UserAgent: "test/1", Locale: "en"}

func newFixture(t *testing.T, mode storekeep.Enumeration, cfg account.Config) *fixture {
	t.Helper()
	return newFixtureOver(t, mode, cfg, func(s account.Store) account.Store { return s })
}

// newFixtureOver is newFixture with the service's store wrapped by wrap,
// which may order the real store's calls as concurrent requests would.
func newFixtureOver(t *testing.T, mode storekeep.Enumeration, cfg account.Config, wrap func(account.Store) account.Store) *fixture {
	t.Helper()
	store, keys := sqlitetest.Open(t)
	f := &fixture{t: t, ctx: t.Context(), store: store, now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	f.svc = account.New(account.Deps{
		Store:     wrap(store),
		Limiter:   ratelimit.NewMemory(clock, 0, slog.New(slog.NewTextHandler(io.Discard, nil))),
		Keys:      keys,
		Passwords: newPasswords(t, cheap),
		Now:       clock,
	}, cfg)
	var err error
	f.shop, err = store.CreateShop(f.ctx, storekeep.Shop{Domain: "shop.example", Name: "Shop",
		StorefrontURL: "https://shop.example", Enumeration: mode}, storekeep.ShopSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func newPasswords(t *testing.T, p password.Params) password.Kit {
	t.Helper()
	h, err := password.NewHasher(p, 2, 16)
	if err != nil {
		t.Fatal(err)
	}
	return password.Kit{Hasher: h, Policy: password.DefaultPolicy()}
}

// signUp creates an enabled customer through the service.
func (f *fixture) signUp(email, pw string) storekeep.Customer {
	f.t.Helper()
	c, err := f.svc.Create(f.ctx, f.shop, account.CreateInput{Email: email, Password: pw}, caller)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) login(email, pw string) storekeep.IssuedAccessToken {
	f.t.Helper()
	tok, err := f.svc.Login(f.ctx, f.shop, email, pw, caller)
	if err != nil {
		f.t.Fatalf("Login(%q) = %v", email, err)
	}
	return tok
}

// code is err's storekeep error code, "" when it has none.
func code(err error) storekeep.Code {
	var e *storekeep.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
