package order

import "github.com/storekeep/storekeep"

// DefaultVariantTitle is the title Shopify gives the one variant of a
// product without options.
const DefaultVariantTitle = "Default Title"

// LineTotals is li's total before its discounts (unit price × quantity)
// and after them (less each of its discount allocations), in thousandths
// of the order's currency unit; an amount that is not a decimal counts
// as zero.
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
