package multipass_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/ratelimit"
	"github.com/storekeep/storekeep/internal/secret"
	"github.com/storekeep/storekeep/internal/store/sqlite"
	"github.com/storekeep/storekeep/internal/store/sqlite/sqlitetest"
	"github.com/storekeep/storekeep/multipass"
)

const shopSecret = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"

// fixture is a Multipass service over a real SQLite store, with a shop
// whose secret is shopSecret.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	store  *sqlite.Store
	keys   *secret.Keyring
	svc    *multipass.Service
	shop   storekeep.Shop
	caller storekeep.Caller
	mu     sync.Mutex
	now    time.Time
}

func newFixture(t *testing.T, cfg multipass.Config) *fixture {
	t.Helper()
	store, keys := sqlitetest.Open(t)
	f := &fixture{t: t, ctx: t.Context(), store: store, keys: keys,
		caller: storekeep.Caller{IP: "203.0.113.7", UserAgent: "test"}, now: time.Now().UTC().Truncate(time.Second)}
	limiter := ratelimit.NewMemory(f.clock, 1000, nil)
	accounts := account.New(account.Deps{Store: store, Keys: keys, Now: f.clock, Limiter: limiter}, account.Config{})
	f.svc = multipass.New(multipass.Deps{Store: store, Accounts: accounts, Keys: keys, Now: f.clock,
		Limiter: limiter}, cfg)
	f.shop = f.newShop("shop.example", shopSecret)
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) newShop(domain, secret string) storekeep.Shop {
	f.t.Helper()
	s, err := f.store.CreateShop(f.ctx, storekeep.Shop{Domain: domain, Name: domain, Enumeration: storekeep.EnumerationPrivate},
		storekeep.ShopSecrets{Multipass: &secret})
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// data is a token's JSON with email and a fresh created_at, plus extra.
func (f *fixture) data(email string, extra map[string]any) map[string]any {
	d := map[string]any{"email": email, "created_at": f.clock().Format(time.RFC3339)}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

// signIn exchanges token at the fixture's shop.
func (f *fixture) signIn(token string) (storekeep.IssuedAccessToken, error) {
	return f.svc.SignIn(f.ctx, f.shop, token, f.caller)
}

// mustSignIn signs in and returns the customer the access token opens.
func (f *fixture) mustSignIn(token string) storekeep.Customer {
	f.t.Helper()
	issued, err := f.signIn(token)
	if err != nil {
		f.t.Fatalf("SignIn: %v", err)
	}
	return f.tokenCustomer(issued.Token)
}

func (f *fixture) tokenCustomer(token string) storekeep.Customer {
	f.t.Helper()
	t, err := f.store.AccessTokenByHash(f.ctx, f.shop.ID, f.keys.Hashes(token), f.clock())
	if err != nil {
		f.t.Fatalf("the access token is not live: %v", err)
	}
	c, err := f.store.CustomerByID(f.ctx, f.shop.ID, t.CustomerID)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// refused fails unless err is INVALID_MULTIPASS_REQUEST on
// multipassToken, and returns its message.
func refused(t *testing.T, err error) string {
	t.Helper()
	var e *storekeep.Error
	if !errors.As(err, &e) || e.Code != storekeep.CodeInvalidMultipassRequest ||
		len(e.Field) != 1 || e.Field[0] != "multipassToken" {
		t.Fatalf("err = %v, want INVALID_MULTIPASS_REQUEST on multipassToken", err)
	}
	return e.Message
}

// customers counts the shop's customers with these emails.
func (f *fixture) customer(email string) (storekeep.Customer, bool) {
	f.t.Helper()
	c, err := f.store.CustomerByEmail(f.ctx, f.shop.ID, storekeep.NormalizeEmail(email))
	if errors.Is(err, storekeep.ErrNotFound) {
		return c, false
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return c, true
}

// audits returns the shop's audit events of kind, newest first.
func (f *fixture) audits(kind storekeep.AuditKind) []storekeep.AuditEvent {
	f.t.Helper()
	all, err := f.store.AuditEvents(f.ctx, f.shop.ID, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []storekeep.AuditEvent
	for _, e := range all {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// failures counts the multipass_failed events, folded ones included.
func (f *fixture) failures() int {
	n := 0
	for _, e := range f.audits(storekeep.AuditMultipassFailed) {
		n += e.Count
	}
	return n
}

func (f *fixture) identifier(c storekeep.Customer) string {
	f.t.Helper()
	id, err := f.store.MultipassIdentifier(f.ctx, f.shop.ID, c.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}
