package order

import (
	"context"
	"fmt"

	"github.com/storekeep/storekeep"
)

// MaxImportLineBytes bounds one line of an import file, as a webhook body.
const MaxImportLineBytes = MaxWebhookBytes

// Import keeps one order of shop given in Shopify's REST Order JSON, as
// the Admin API returns it. Importing an order again changes nothing
// unless its updated_at is newer. An order it cannot read is
// ErrBadPayload.
func (s *Service) Import(ctx context.Context, shop storekeep.Shop, raw []byte) (storekeep.OrderWriteResult, error) {
	o, err := ParseShopify(shop.ID, raw)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	return s.Store.WriteOrder(ctx, storekeep.OrderWrite{Order: o, At: s.Now()})
}
