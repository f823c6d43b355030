package outbox

import (
	"context"
	"sync"
	"time"

	"github.com/storekeep/storekeep"
)

// markSent records that mail id was delivered. The deliveries that finish
// while one such write is under way are recorded together by the next
// (w.sent): one transaction for many mails rather than one each.
func (w *Worker) markSent(ctx context.Context, id int64) error {
	_, err := w.sent.Do(ctx, id)
	return err
}

// writeSent is the write of w.sent: it records ids as sent.
func (w *Worker) writeSent(ctx context.Context, ids []int64) ([]struct{}, error) {
	n, err := w.store.MarkMailsSent(ctx, ids, w.cfg.Now())
	if err != nil {
		return nil, err
	}
	if n < len(ids) {
		// A mail whose lease ran out may have been recorded by another
		// attempt; the rest of the batch is recorded all the same.
		w.log.Warn("outbox: some mail recorded as sent was no longer pending", "recorded", n, "delivered", len(ids))
	}
	return make([]struct{}, len(ids)), nil
}

// shopTTL is how long the worker trusts a shop it looked up: edits to a
// shop reach its mail within that time.
const shopTTL = 2 * time.Second

// shopCache keeps the shops that mail was recently rendered for, so that a
// burst of mail for one shop looks it up once rather than once a mail.
type shopCache struct {
	mu    sync.Mutex
	shops map[int64]cachedShop
}

type cachedShop struct {
	shop    storekeep.Shop
	expires time.Time
}

// shop returns the shop with that ID, from the cache while it is fresh.
// Lookups that fail are not cached.
func (w *Worker) shop(ctx context.Context, id int64) (storekeep.Shop, error) {
	c := &w.cache
	now := time.Now()
	c.mu.Lock()
	e, ok := c.shops[id]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.shop, nil
	}
	shop, err := w.shops.ShopByID(ctx, id)
	if err != nil {
		return storekeep.Shop{}, err
	}
	c.mu.Lock()
	if c.shops == nil || len(c.shops) >= maxCachedShops {
		c.shops = make(map[int64]cachedShop)
	}
	c.shops[id] = cachedShop{shop: shop, expires: now.Add(shopTTL)}
	c.mu.Unlock()
	return shop, nil
}

// maxCachedShops bounds the shop cache; it starts over when full.
const maxCachedShops = 1024
