package order

import (
	"errors"
	"fmt"
	"math"

	"github.com/storekeep/storekeep"
)

// DefaultVariantTitle is the title Shopify gives the one variant of a
// product without options.
const DefaultVariantTitle = "Default Title"

// LineTotals is li's total before its discounts (unit price × quantity)
// and after them (less each of its discount allocations), in thousandths
// of the order's currency unit; an amount that is not a decimal counts
// as zero. For a line ParseShopify accepts, neither overflows.
func LineTotals(li storekeep.OrderLineItem) (original, discounted int64) {
	price, _ := storekeep.MilliUnits(li.Price)
	original = price * li.Quantity
	discounted = original
	for _, a := range li.Discounts {
		amount, _ := storekeep.MilliUnits(a.Amount)
		discounted -= amount
	}
	return original, discounted
}

// MaxQuantity bounds a line's quantity and an order's number, the
// largest Int of GraphQL.
const MaxQuantity = math.MaxInt32

// maxSumMilli bounds what storekeep computes from an order's amounts (a
// line's price × quantity, the sum of its discount allocations, the sum
// of the refunds), in thousandths: below 10^15 currency units, as
// storekeep.MilliUnits bounds one amount.
const maxSumMilli = 1e18 - 1

// checkLine refuses a quantity outside 0 to MaxQuantity and a line whose
// totals would reach maxSumMilli.
func checkLine(li storekeep.OrderLineItem) error {
	for _, q := range []int64{li.Quantity, li.CurrentQuantity} {
		if q < 0 || q > MaxQuantity {
			return fmt.Errorf("line_items: quantity %d is not between 0 and %d", q, MaxQuantity)
		}
	}
	price, _ := storekeep.MilliUnits(li.Price)
	if li.Quantity > 0 && price > maxSumMilli/li.Quantity {
		return fmt.Errorf("line_items: price %s × quantity %d is 10^15 or more", li.Price, li.Quantity)
	}
	var allocated int64
	for _, a := range li.Discounts {
		m, _ := storekeep.MilliUnits(a.Amount)
		if allocated += m; allocated > maxSumMilli {
			return errors.New("line_items: discount allocations of a line sum to 10^15 or more")
		}
	}
	return nil
}

// VariantTitle is the title of li's variant: the one the platform sent,
// else DefaultVariantTitle.
func VariantTitle(li storekeep.OrderLineItem) string {
	if li.VariantTitle == "" {
		return DefaultVariantTitle
	}
	return li.VariantTitle
}

// DiscountTitle is d's title, else its code.
func DiscountTitle(d storekeep.OrderDiscount) string {
	if d.Title == "" {
		return d.Code
	}
	return d.Title
}
