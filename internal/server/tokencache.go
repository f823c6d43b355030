package server

import (
	"context"
	"errors"
	"maps"
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
	// known holds every token's hash, less those the store has answered
	// since it was read that it does not hold.
	known *expiring.Snapshot[map[string]struct{}]
}

type cachedToken struct {
	token storekeep.APIToken
	shop  storekeep.Shop
}

func newTokenCache(shops storekeep.ShopStore, now func() time.Time) *tokenCache {
	return &tokenCache{shops: shops, now: now, entries: expiring.New[string, cachedToken](TokenCacheTTL, MaxCachedTokens),
		known: expiring.NewSnapshot[map[string]struct{}](KnownTokensEvery)}
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

// isKnown reports whether one of hashes is a shop's token's, by every
// token's hash as read from the store at most KnownTokensEvery ago (or
// since a clock that has stepped back). A failed read knows no token.
func (c *tokenCache) isKnown(ctx context.Context, hashes [][]byte, now time.Time) bool {
	known, err := c.known.Read(ctx, now, c.readKnown)
	return err == nil && holds(known, hashes)
}

// readKnown reads every token's hash from the store.
func (c *tokenCache) readKnown(ctx context.Context) (map[string]struct{}, error) {
	list, err := c.shops.APITokenHashes(ctx)
	if err != nil {
		return nil, err
	}
	known := make(map[string]struct{}, len(list))
	for _, h := range list {
		known[string(h)] = struct{}{}
	}
	return known, nil
}

// holds reports whether one of hashes is in known.
func holds(known map[string]struct{}, hashes [][]byte) bool {
	for _, h := range hashes {
		if _, ok := known[string(h)]; ok {
			return true
		}
	}
	return false
}

// forget drops hashes from the known ones, as the store does not hold
// them: a copy without them replaces the set, which readers may hold.
func (c *tokenCache) forget(hashes [][]byte) {
	c.known.Replace(func(known map[string]struct{}) map[string]struct{} {
		if !holds(known, hashes) {
			return known
		}
		kept := maps.Clone(known)
		for _, h := range hashes {
			delete(kept, string(h))
		}
		return kept
	})
}
