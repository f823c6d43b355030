package server

import (
	"context"
	"errors"
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
	// MaxCachedTokens bounds the cache, and the tokens found lately; each
	// starts over when full.
	MaxCachedTokens = 1024
	// RecentTokenTTL is how long after a token was last found in the
	// store it is looked up for a client that has spent its request
	// allowance, which a token not found lately is not.
	RecentTokenTTL = time.Hour
)

// errLookupRefused is the answer to a token not found lately, sent by a
// client that may not have it looked up.
var errLookupRefused = errors.New("server: a token not found lately, from a client past its allowance, was not looked up")

// tokenCache keeps the API tokens that were found recently, with their
// shops, keyed by the token's hash under the newest key, so that a client
// sending one token many times a second costs one store look-up a second.
// A token that was not found is never cached: an unknown or new token is
// looked up every time its sender may have it looked up.
type tokenCache struct {
	shops   storekeep.ShopStore
	now     func() time.Time
	entries *expiring.Map[string, cachedToken]
	// found holds the hashes of the tokens found within RecentTokenTTL
	// and not missing from the store since.
	found *expiring.Map[string, struct{}]
}

type cachedToken struct {
	token storekeep.APIToken
	shop  storekeep.Shop
}

func newTokenCache(shops storekeep.ShopStore, now func() time.Time) *tokenCache {
	return &tokenCache{shops: shops, now: now, entries: expiring.New[string, cachedToken](TokenCacheTTL, MaxCachedTokens),
		found: expiring.New[string, struct{}](RecentTokenTTL, MaxCachedTokens)}
}

// lookup returns the token whose hash is one of hashes (newest key first)
// and its shop, from the cache while fresh, else from the store: a token
// not found within RecentTokenTTL, or not found at its last look-up, only
// if mayLookUp says its sender may have it looked up, else
// errLookupRefused.
func (c *tokenCache) lookup(ctx context.Context, hashes [][]byte, mayLookUp func() bool) (storekeep.APIToken, storekeep.Shop, error) {
	if len(hashes) == 0 {
		return c.shops.APITokenByHash(ctx, hashes)
	}
	key, now := string(hashes[0]), c.now()
	if e, ok := c.entries.Get(key, now); ok {
		return e.token, e.shop, nil
	}
	if _, ok := c.found.Get(key, now); !ok && !mayLookUp() {
		return storekeep.APIToken{}, storekeep.Shop{}, errLookupRefused
	}
	token, shop, err := c.shops.APITokenByHash(ctx, hashes)
	if errors.Is(err, storekeep.ErrNotFound) {
		c.found.Delete(key)
	}
	if err != nil {
		return token, shop, err
	}
	c.entries.Put(key, cachedToken{token: token, shop: shop}, now)
	c.found.Put(key, struct{}{}, now)
	return token, shop, nil
}
