package recovery_test

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
	"github.com/storekeep/storekeep/internal/secret"
	"github.com/storekeep/storekeep/internal/store/sqlite"
	"github.com/storekeep/storekeep/internal/store/sqlite/sqlitetest"
	"github.com/storekeep/storekeep/password"
	"github.com/storekeep/storekeep/recovery"
)

// fixture is a recovery service over a real SQLite store, a real
// in-memory limiter and real argon2id (at its cheapest), with a clock the
// test moves.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	store *sqlite.Store
	keys  *secret.Keyring
	svc   *recovery.Service
	deps  recovery.Deps
	cfg   recovery.Config
	shop  storekeep.Shop
	now   time.Time
}

var caller = storekeep.Caller{IP: "203.0.113.5", UserAgent: "test/1", Locale: "en"}

func newFixture(t *testing.T, mode storekeep.Enumeration, cfg recovery.Config) *fixture {
	t.Helper()
	store, keys := sqlitetest.Open(t)
	hasher, err := password.NewHasher(password.Params{Memory: password.MinMemory, Time: 1, Threads: 1}, 2, 16)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: t.Context(), store: store, keys: keys, now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	limiter := ratelimit.NewMemory(clock, 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
	pw := password.Kit{Hasher: hasher, Policy: password.DefaultPolicy()}
	sessions := account.New(account.Deps{Store: store, Limiter: limiter, Keys: keys, Passwords: pw, Now: clock}, account.Config{})
	f.deps = recovery.Deps{Store: store, Limiter: limiter, Keys: keys, Passwords: pw, Sessions: sessions, Now: clock}
	f.cfg = cfg
	f.svc = recovery.New(f.deps, cfg)
	f.shop, err = store.CreateShop(f.ctx, storekeep.Shop{Domain: "shop.example", Name: "Shop",
		StorefrontURL: "https://shop.example", Enumeration: mode}, storekeep.ShopSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) customer(email string, state storekeep.CustomerState) storekeep.Customer {
	f.t.Helper()
	c, err := f.store.CreateCustomer(f.ctx, storekeep.Customer{ShopID: f.shop.ID, Email: email,
		EmailKey: storekeep.NormalizeEmail(email), FirstName: "Ada", State: state, CreatedAt: f.now})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// claim leases everything due now from the outbox.
func (f *fixture) claim() storekeep.Claimed {
	f.t.Helper()
	claimed, err := f.store.Claim(f.ctx, f.now, time.Minute, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	return claimed
}

// resetURL asks for a reset of email in a Shopify-mode shop and returns
// the link its mail carries.
func (f *fixture) resetURL(email string) string {
	f.t.Helper()
	if err := f.svc.Recover(f.ctx, f.shop, email, caller); err != nil {
		f.t.Fatal(err)
	}
	mails := f.claim().Mail
	if len(mails) != 1 || mails[0].Template != storekeep.TemplateReset || mails[0].Data.URL == "" {
		f.t.Fatalf("queued %+v, want one reset mail with a link", mails)
	}
	return mails[0].Data.URL
}

func (f *fixture) audits() []storekeep.AuditEvent {
	f.t.Helper()
	events, err := f.store.AuditEvents(f.ctx, f.shop.ID, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return events
}

// code is err's storekeep error code, "" when it has none.
func code(err error) storekeep.Code {
	var e *storekeep.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
