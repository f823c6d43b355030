package outbox

import (
	"context"
	"sync"
	"time"

	"github.com/storekeep/storekeep"
)

// sentLog gathers the deliveries to record as sent, so that the sends that
// finish while one write is under way are recorded together by the next
// write: one transaction for many mails rather than one each.
type sentLog struct {
	mu      sync.Mutex
	next    *sentBatch
	writing bool
}

// sentBatch is the mail one write records as sent.
type sentBatch struct {
	ids  []int64
	done chan struct{}
	err  error
}

// markSent records that mail id was delivered, together with the other
// mail delivered meanwhile. The first caller to find no write under way
// writes, and goes on writing the batches that gathered behind it until
// none is left; the others wait for theirs, or for ctx.
func (w *Worker) markSent(ctx context.Context, id int64) error {
	l := &w.sent
	l.mu.Lock()
	if l.next == nil {
		l.next = &sentBatch{done: make(chan struct{})}
	}
	own := l.next
	own.ids = append(own.ids, id)
	if l.writing {
		l.mu.Unlock()
		select {
		case <-own.done:
			return own.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	l.writing = true
	for l.next != nil {
		b := l.next
		l.next = nil
		l.mu.Unlock()
		w.writeSent(ctx, b)
		l.mu.Lock()
	}
	l.writing = false
	l.mu.Unlock()
	return own.err
}

// writeSent records b's mail as sent and wakes its waiters. Each write has
// its own timeout, since the writer may go on to write other batches.
func (w *Worker) writeSent(ctx context.Context, b *sentBatch) {
	writeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	n, err := w.store.MarkMailsSent(writeCtx, b.ids, w.cfg.Now())
	switch {
	case err != nil:
		b.err = err
	case n < len(b.ids):
		// A mail whose lease ran out may have been recorded by another
		// attempt; the rest of the batch is recorded all the same.
		w.log.Warn("outbox: some mail recorded as sent was no longer pending", "recorded", n, "delivered", len(b.ids))
	}
	close(b.done)
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
