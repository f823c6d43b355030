package server

import (
	"context"
	"errors"
	"sync"
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
	// KnownTokensEvery is how often, at most, the node reads every
	// token's hash from the store, to tell a shop's token from a made-up
	// one sent by a client that has spent its request allowance.
	KnownTokensEvery = 10 * time.Second
)

// errLookupRefused is the answer to a token that is none of the shops',
// sent by a client that may not have it looked up.
var errLookupRefused = errors.New("server: a token that is none of the shops', from a client past its allowance, was not looked up")

// tokenCache keeps the API tokens that were found recently, with their
// shops, keyed by the token's hash under the newest key, so that a client
// sending one token many times a second costs one store look-up a second.
// A token that was not found is never cached: an unknown or new token is
// looked up every time its sender may have it looked up.
type tokenCache struct {
	shops   storekeep.ShopStore
	now     func() time.Time
	entries *expiring.Map[string, cachedToken]
	mu      sync.Mutex
	// known holds every token's hash as read at knownAt, less those the
	// store has answered since that it does not hold.
	known   map[string]struct{}
	knownAt time.Time
}

type cachedToken struct {
	token storekeep.APIToken
	shop  storekeep.Shop
}

func newTokenCache(shops storekeep.ShopStore, now func() time.Time) *tokenCache {
	return &tokenCache{shops: shops, now: now, entries: expiring.New[string, cachedToken](TokenCacheTTL, MaxCachedTokens)}
}

// lookup returns the token whose hash is one of hashes (newest key first)
// and its shop, from the cache while fresh, else from the store: a token
// that is none of the shops' (isKnown) only if mayLookUp says its sender
// may have it looked up, else errLookupRefused.
func (c *tokenCache) lookup(ctx context.Context, hashes [][]byte, mayLookUp func() bool) (storekeep.APIToken, storekeep.Shop, error) {
	if len(hashes) == 0 {
		return c.shops.APITokenByHash(ctx, hashes)
	}
	key, now := string(hashes[0]), c.now()
	if e, ok := c.entries.Get(key, now); ok {
		return e.token, e.shop, nil
	}
	if !mayLookUp() && !c.isKnown(ctx, hashes, now) {
		return storekeep.APIToken{}, storekeep.Shop{}, errLookupRefused
	}
	token, shop, err := c.shops.APITokenByHash(ctx, hashes)
	if errors.Is(err, storekeep.ErrNotFound) {
		c.forget(hashes)
	}
	if err != nil {
		return token, shop, err
	}
	c.entries.Put(key, cachedToken{token: token, shop: shop}, now)
	return token, shop, nil
}

// isKnown reports whether one of hashes is a shop's token's, reading
// every token's hash from the store again first when it does not seem to
// be and they were read KnownTokensEvery ago or more (or before a clock
// that has since stepped back). A failed read knows no token.
func (c *tokenCache) isKnown(ctx context.Context, hashes [][]byte, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.holds(hashes) {
		return true
	}
	if c.known != nil && now.Sub(c.knownAt) < KnownTokensEvery && !now.Before(c.knownAt) {
		return false
	}
	list, err := c.shops.APITokenHashes(ctx)
	if err != nil {
		return false
	}
	c.known, c.knownAt = make(map[string]struct{}, len(list)), now
	for _, h := range list {
		c.known[string(h)] = struct{}{}
	}
	return c.holds(hashes)
}

// holds reports whether one of hashes is in known; c.mu is held.
func (c *tokenCache) holds(hashes [][]byte) bool {
	for _, h := range hashes {
		if _, ok := c.known[string(h)]; ok {
			return true
		}
	}
	return false
}

// forget drops hashes from known, as the store does not hold them.
func (c *tokenCache) forget(hashes [][]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, h := range hashes {
		delete(c.known, string(h))
	}
}
