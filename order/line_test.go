package order_test

import (
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/order"
)

func TestLineTotalsTakeOffEachAllocation(t *testing.T) {
	for _, c := range []struct {
		name                   string
		li                     storekeep.OrderLineItem
		original, discountedTo int64
	}{
		{"no discount", storekeep.OrderLineItem{Price: "199.00", Quantity: 1}, 199000, 199000},
		{"two allocations", storekeep.OrderLineItem{Price: "19.99", Quantity: 3,
			Discounts: []storekeep.OrderDiscountAllocation{{Amount: "5.00"}, {Amount: "0.97", Index: 1}}}, 59970, 54000},
		{"no price", storekeep.OrderLineItem{Quantity: 2, Discounts: []storekeep.OrderDiscountAllocation{{Amount: "1"}}}, 0, -1000},
		{"the largest line", storekeep.OrderLineItem{Price: "9999999999.999", Quantity: 100000,
			Discounts: []storekeep.OrderDiscountAllocation{{Amount: "999999999999999.999"}}}, 999999999999900000, -99999},
		{"unreadable allocation", storekeep.OrderLineItem{Price: "2.5", Quantity: 2,
			Discounts: []storekeep.OrderDiscountAllocation{{Amount: "lots"}}}, 5000, 5000},
	} {
		original, discounted := order.LineTotals(c.li)
		if original != c.original || discounted != c.discountedTo {
			t.Errorf("%s: LineTotals = %d, %d; want %d, %d", c.name, original, discounted, c.original, c.discountedTo)
		}
	}
}

func TestVariantAndDiscountTitlesFallBack(t *testing.T) {
	if got := order.VariantTitle(storekeep.OrderLineItem{}); got != "Default Title" {
		t.Errorf("VariantTitle of a line without one = %q", got)
	}
	if got := order.VariantTitle(storekeep.OrderLineItem{VariantTitle: "Small / Blue"}); got != "Small / Blue" {
		t.Errorf("VariantTitle = %q", got)
	}
	if got := order.DiscountTitle(storekeep.OrderDiscount{Code: "TEN"}); got != "TEN" {
		t.Errorf("DiscountTitle of a code without title = %q", got)
	}
	if got := order.DiscountTitle(storekeep.OrderDiscount{Code: "TEN", Title: "Ten off"}); got != "Ten off" {
		t.Errorf("DiscountTitle = %q", got)
	}
}
