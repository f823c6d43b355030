package server

import (
	"context"
	"sync"
	"time"

	"github.com/storekeep/storekeep"
)

// Bounds of the cache of authenticated API tokens.
const (
	// TokenCacheTTL is how long a token found in the store, with its
	// shop, answers without a second look-up: edits to a shop (storekeep
	// shop update) reach the API within that time.
	TokenCacheTTL = time.Second
	// MaxCachedTokens bounds the cache; it starts over when full.
	MaxCachedTokens = 1024
)

// tokenCache keeps the API tokens that were found recently, with their
// shops, keyed by the token's hash under the newest key, so that a client
// sending one token many times a second costs one store look-up a second.
// A token that was not found is never cached: an unknown or new token is
// looked up every time.
type tokenCache struct {
	shops   storekeep.ShopStore
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]cachedToken
}

type cachedToken struct {
	token   storekeep.APIToken
	shop    storekeep.Shop
	expires time.Time
}

func newTokenCache(shops storekeep.ShopStore, now func() time.Time) *tokenCache {
	return &tokenCache{shops: shops, now: now, entries: make(map[string]cachedToken)}
}

// lookup returns the token whose hash is one of hashes (newest key first)
// and its shop, from the cache while fresh, else from the store.
func (c *tokenCache) lookup(ctx context.Context, hashes [][]byte) (storekeep.APIToken, storekeep.Shop, error) {
	if len(hashes) == 0 {
		return c.shops.APITokenByHash(ctx, hashes)
	}
	key := string(hashes[0])
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.token, e.shop, nil
	}
	token, shop, err := c.shops.APITokenByHash(ctx, hashes)
	if err != nil {
		return token, shop, err
	}
	c.mu.Lock()
	if len(c.entries) >= MaxCachedTokens {
		clear(c.entries)
	}
	c.entries[key] = cachedToken{token: token, shop: shop, expires: now.Add(TokenCacheTTL)}
	c.mu.Unlock()
	return token, shop, nil
}
