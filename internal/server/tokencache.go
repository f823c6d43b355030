package server

import (
	"context"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/expiring"
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
	entries *expiring.Map[string, cachedToken]
}

type cachedToken struct {
	token storekeep.APIToken
	shop  storekeep.Shop
}

func newTokenCache(shops storekeep.ShopStore, now func() time.Time) *tokenCache {
	return &tokenCache{shops: shops, now: now, entries: expiring.New[string, cachedToken](TokenCacheTTL, MaxCachedTokens)}
}

// lookup returns the token whose hash is one of hashes (newest key first)
// and its shop, from the cache while fresh, else from the store.
func (c *tokenCache) lookup(ctx context.Context, hashes [][]byte) (storekeep.APIToken, storekeep.Shop, error) {
	if len(hashes) == 0 {
		return c.shops.APITokenByHash(ctx, hashes)
	}
	key, now := string(hashes[0]), c.now()
	if e, ok := c.entries.Get(key, now); ok {
		return e.token, e.shop, nil
	}
	token, shop, err := c.shops.APITokenByHash(ctx, hashes)
	if err != nil {
		return token, shop, err
	}
	c.entries.Put(key, cachedToken{token: token, shop: shop}, now)
	return token, shop, nil
}
