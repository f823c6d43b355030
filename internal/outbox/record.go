package outbox

import (
	"context"
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

// maxCachedShops bounds the worker's shop cache, which keeps the shops
// that mail was recently rendered for, so that a burst of mail for one
// shop looks it up once rather than once a mail; it starts over when full.
const maxCachedShops = 1024

// shop returns the shop with that ID, from the cache while it is fresh.
// Lookups that fail are not cached.
func (w *Worker) shop(ctx context.Context, id int64) (storekeep.Shop, error) {
	now := time.Now()
	if shop, ok := w.shopCache.Get(id, now); ok {
		return shop, nil
	}
	shop, err := w.shops.ShopByID(ctx, id)
	if err != nil {
		return storekeep.Shop{}, err
	}
	w.shopCache.Put(id, shop, now)
	return shop, nil
}
