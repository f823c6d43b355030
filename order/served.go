package order

import (
	"context"
	"strconv"
	"time"

	"github.com/storekeep/storekeep"
)

// ServedShopsEvery is how often, at most, Admit reads which shops keep a
// webhook secret. A shop given its first secret is told from a domain no
// shop serves until the next read: a client that has spent the allowance
// every such domain shares is refused its deliveries for that long, and
// Shopify retries them.
const ServedShopsEvery = 10 * time.Second

// counter returns the allowance of bad deliveries that a delivery naming
// domain spends by the node's list: the shop's own, or failCounter.
func (s *Service) counter(ctx context.Context, domain string) (string, error) {
	d, err := storekeep.NormalizeShopDomain(domain)
	if err != nil {
		return failCounter, nil
	}
	ids, err := s.served.Read(ctx, s.Now(), s.readServed)
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

// readServed reads which shops keep a webhook secret: their ids by
// domain.
func (s *Service) readServed(ctx context.Context) (map[string]int64, error) {
	shops, err := s.Store.WebhookShops(ctx)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]int64, len(shops))
	for _, sh := range shops {
		ids[sh.Domain] = sh.ID
	}
	return ids, nil
}
