package order

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/storekeep/storekeep"
)

// ServedShopsEvery is how often, at most, Admit reads which shops keep a
// webhook secret. A shop given its first secret is told from a domain no
// shop serves until the next read: a client that has spent the allowance
// every such domain shares is refused its deliveries for that long, and
// Shopify retries them.
const ServedShopsEvery = 10 * time.Second

// servedShops is the node's list of the shops that keep a webhook secret,
// by domain, read from the store at most every ServedShopsEvery.
type servedShops struct {
	mu     sync.Mutex
	ids    map[string]int64
	readAt time.Time
}

// counter returns the allowance of bad deliveries that a delivery naming
// domain spends by the node's list: the shop's own, or failCounter.
func (s *Service) counter(ctx context.Context, domain string) (string, error) {
	d, err := storekeep.NormalizeShopDomain(domain)
	if err != nil {
		return failCounter, nil
	}
	ids, err := s.served.read(ctx, s.Store, s.Now())
	if err != nil {
		return "", err
	}
	if id, ok := ids[d]; ok {
		return shopCounter(id), nil
	}
	return failCounter, nil
}

// shopCounter names the allowance of bad deliveries naming the shop id.
func shopCounter(id int64) string { return failCounter + "#" + strconv.FormatInt(id, 10) }

// read returns the list, reading it again when it is older than
// ServedShopsEvery (or the clock went back).
func (l *servedShops) read(ctx context.Context, store Store, now time.Time) (map[string]int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ids != nil && now.Sub(l.readAt) < ServedShopsEvery && !now.Before(l.readAt) {
		return l.ids, nil
	}
	shops, err := store.WebhookShops(ctx)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]int64, len(shops))
	for _, sh := range shops {
		ids[sh.Domain] = sh.ID
	}
	l.ids, l.readAt = ids, now
	return ids, nil
}
