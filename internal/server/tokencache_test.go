package server

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/secret"
	"github.com/storekeep/storekeep/internal/store/sqlite"
)

// countedShops counts the token look-ups, and the reads of every token's
// hash, that reach the store.
type countedShops struct {
	storekeep.ShopStore
	lookups   atomic.Int64
	hashReads atomic.Int64
}

func (c *countedShops) APITokenHashes(ctx context.Context) ([][]byte, error) {
	c.hashReads.Add(1)
	return c.ShopStore.APITokenHashes(ctx)
}

func (c *countedShops) APITokenByHash(ctx context.Context, hashes [][]byte) (storekeep.APIToken, storekeep.Shop, error) {
	c.lookups.Add(1)
	return c.ShopStore.APITokenByHash(ctx, hashes)
}

type cacheFixture struct {
	t     *testing.T
	store *sqlite.Store
	keys  *secret.Keyring
	shops *countedShops
	shop  storekeep.Shop
	now   time.Time
	cache *tokenCache
}

func newCacheFixture(t *testing.T) *cacheFixture {
	ctx := context.Background()
	key, _ := secret.NewKey()
	keys, err := secret.New(key)
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sk.db"), sqlite.Options{Sealer: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	shop, err := store.CreateShop(ctx, storekeep.Shop{Domain: "shop.example", Name: "Before", Enumeration: storekeep.EnumerationPrivate}, storekeep.ShopSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	f := &cacheFixture{t: t, store: store, keys: keys, shops: &countedShops{ShopStore: store}, shop: shop,
		now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	f.cache = newTokenCache(f.shops, func() time.Time { return f.now })
	return f
}

func (f *cacheFixture) newToken() string {
	value, _ := f.keys.NewToken()
	_, err := f.store.CreateAPIToken(context.Background(), storekeep.APIToken{ShopID: f.shop.ID, Kind: storekeep.APITokenPrivate,
		Scopes: []storekeep.Scope{storekeep.ScopeWriteCustomers}, Hash: f.keys.Hash(value), CreatedAt: f.now})
	if err != nil {
		f.t.Fatal(err)
	}
	return value
}

func (f *cacheFixture) lookup(value string) (storekeep.Shop, error) {
	_, shop, err := f.cache.lookup(context.Background(), f.keys.Hashes(value), func() bool { return true })
	return shop, err
}

// lookupSpent looks value up for a client that has spent its allowance.
func (f *cacheFixture) lookupSpent(value string) error {
	_, _, err := f.cache.lookup(context.Background(), f.keys.Hashes(value), func() bool { return false })
	return err
}

func TestTokenCacheLooksAFoundTokenUpOnceATTL(t *testing.T) {
	f := newCacheFixture(t)
	value := f.newToken()
	for range 5 {
		if _, err := f.lookup(value); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.shops.lookups.Load(); n != 1 {
		t.Fatalf("%d store look-ups for 5 requests within the TTL, want 1", n)
	}
	edited := f.shop
	edited.Name, edited.Enumeration = "After", storekeep.EnumerationShopify
	if err := f.store.UpdateShop(context.Background(), edited, storekeep.ShopSecrets{}); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(TokenCacheTTL - time.Millisecond)
	if shop, _ := f.lookup(value); shop.Name != "Before" {
		t.Fatalf("within the TTL: shop %q, want the cached one", shop.Name)
	}
	f.now = f.now.Add(time.Millisecond)
	shop, err := f.lookup(value)
	if err != nil || shop.Name != "After" || shop.Enumeration != storekeep.EnumerationShopify {
		t.Fatalf("after the TTL: %+v, %v; want the edited shop", shop, err)
	}
	if n := f.shops.lookups.Load(); n != 2 {
		t.Fatalf("%d store look-ups, want 2", n)
	}
}

func TestTokenCacheNeverKeepsATokenItDidNotFind(t *testing.T) {
	f := newCacheFixture(t)
	value, _ := f.keys.NewToken()
	for range 3 {
		if _, err := f.lookup(value); !errors.Is(err, storekeep.ErrNotFound) {
			t.Fatalf("unknown token: %v, want ErrNotFound", err)
		}
	}
	if n := f.shops.lookups.Load(); n != 3 {
		t.Fatalf("%d store look-ups for 3 requests with an unknown token, want 3", n)
	}
	created := f.newToken()
	if _, err := f.lookup(created); err != nil {
		t.Fatalf("a token created after misses: %v", err)
	}
}

func TestTokenCacheHoldsAtMostMaxCachedTokens(t *testing.T) {
	f := newCacheFixture(t)
	for range MaxCachedTokens + 1 {
		value, _ := f.keys.NewToken()
		hashes := f.keys.Hashes(value)
		_, err := f.store.CreateAPIToken(context.Background(), storekeep.APIToken{ShopID: f.shop.ID, Kind: storekeep.APITokenPublic,
			Hash: hashes[0], CreatedAt: f.now})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.cache.lookup(context.Background(), hashes, func() bool { return true }); err != nil {
			t.Fatal(err)
		}
		if n := f.cache.entries.Len(); n > MaxCachedTokens {
			t.Fatalf("%d tokens cached, want at most %d", n, MaxCachedTokens)
		}
	}
}

// A client that has spent its request allowance gets no store look-up
// for a token that is none of the shops' (the node reads every token's
// hash from the store, at most once a KnownTokensEvery), so a flood of
// made-up tokens costs the store one read of the hashes in that time. A
// token the store holds is looked up whatever its sender spent, on a
// node started since it was last used too: a storefront server sharing
// an address (a platform's egress) with a flooder goes on being served.
// It was refused before on a node that had not found it within the hour.
func TestTokenCacheLooksUpForASpentClientOnlyTheShopsTokens(t *testing.T) {
	f := newCacheFixture(t)
	held := f.newToken()
	for i := range 50 {
		made, _ := f.keys.NewToken()
		if err := f.lookupSpent(made); !errors.Is(err, errLookupRefused) {
			t.Fatalf("made-up token %d from a spent client: %v, want errLookupRefused", i+1, err)
		}
	}
	if n, reads := f.shops.lookups.Load(), f.shops.hashReads.Load(); n != 0 || reads != 1 {
		t.Fatalf("%d store look-ups and %d reads of the hashes for 50 made-up tokens, want 0 and 1", n, reads)
	}
	if err := f.lookupSpent(held); err != nil {
		t.Fatalf("a shop's token never used on this node, from a spent client: %v", err)
	}
	fresh := f.newToken()
	if err := f.lookupSpent(fresh); !errors.Is(err, errLookupRefused) {
		t.Fatalf("a token made after the hashes were read, within %v: %v, want errLookupRefused", KnownTokensEvery, err)
	}
	f.now = f.now.Add(KnownTokensEvery)
	if err := f.lookupSpent(fresh); err != nil {
		t.Fatalf("a token made before the hashes were read again: %v", err)
	}
	if n, reads := f.shops.lookups.Load(), f.shops.hashReads.Load(); n != 2 || reads != 2 {
		t.Fatalf("%d store look-ups and %d reads of the hashes, want 2 and 2", n, reads)
	}
}

// A token the node held as one of the shops' was looked up for a spent
// client at every request, even once the store answered that it is gone:
// a revoked public token (shipped in browsers, so known to anyone) cost a
// store look-up a request until the hashes were read again. A token the
// store does not hold is dropped from them at once.
func TestTokenCacheForgetsARevokedTokenForASpentClient(t *testing.T) {
	f := newCacheFixture(t)
	ctx := context.Background()
	value := f.newToken()
	token, _, err := f.store.APITokenByHash(ctx, f.keys.Hashes(value))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.lookupSpent(value); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.DeleteAPIToken(ctx, f.shop.ID, token.ID, storekeep.AuditEvent{Kind: storekeep.AuditAPITokenRevoked, At: f.now}); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(TokenCacheTTL)
	before := f.shops.lookups.Load()
	if err := f.lookupSpent(value); !errors.Is(err, storekeep.ErrNotFound) {
		t.Fatalf("a revoked token the node held, from a spent client: %v, want ErrNotFound", err)
	}
	for i := range 20 {
		if err := f.lookupSpent(value); !errors.Is(err, errLookupRefused) {
			t.Fatalf("the revoked token again, %d: %v, want errLookupRefused", i+1, err)
		}
	}
	if n := f.shops.lookups.Load() - before; n != 1 {
		t.Fatalf("%d store look-ups of a revoked token for a spent client, want 1", n)
	}
}
