package order

import (
	"context"
	"crypto/subtle"
	"fmt"

	"github.com/storekeep/storekeep"
)

// ShopHoldingSecret returns the domain of the shop other than shopID (0
// for a shop not yet made) whose webhook secret is secret, or "" when
// none is. A delivery is verified under the secret of the shop its
// X-Shopify-Shop-Domain names, which the signature does not cover: a
// secret two shops held would let a captured delivery of one be taken by
// the other under its domain.
func ShopHoldingSecret(ctx context.Context, store storekeep.OrderStore, shopID int64, secret string) (string, error) {
	shops, err := store.WebhookShops(ctx)
	if err != nil {
		return "", err
	}
	for _, sh := range shops {
		if sh.ID == shopID {
			continue
		}
		_, held, err := store.WebhookSecret(ctx, sh.Domain)
		if err != nil {
			return "", fmt.Errorf("shop %s: %w", sh.Domain, err)
		}
		if subtle.ConstantTimeCompare(held, []byte(secret)) == 1 {
			return sh.Domain, nil
		}
	}
	return "", nil
}
