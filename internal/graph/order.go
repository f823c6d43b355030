package graph

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/graph/model"
	"github.com/storekeep/storekeep/order"
)

// money is amount, a stored decimal, in currency, written as the
// Storefront API writes amounts; an empty amount is zero.
func money(amount, currency string) *model.MoneyV2 {
	m, _ := storekeep.MilliUnits(amount)
	return moneyMilli(m, currency)
}

func moneyMilli(m int64, currency string) *model.MoneyV2 {
	code := model.CurrencyCode(currency)
	if !code.IsValid() {
		code = model.CurrencyCodeXxx
	}
	return &model.MoneyV2{Amount: storekeep.FormatMilli(m), CurrencyCode: code}
}

// orderAddress is an order's address as a MailingAddress.
func orderAddress(o order.Keyed, a *storekeep.OrderAddress) *storekeep.MailingAddress {
	if a == nil {
		return nil
	}
	return &storekeep.MailingAddress{
		ShopID: o.ShopID, OrderID: o.ID, FirstName: a.FirstName, LastName: a.LastName, Company: a.Company,
		Address1: a.Address1, Address2: a.Address2, City: a.City, Province: a.Province, ProvinceCode: a.ProvinceCode,
		Country: a.Country, CountryCode: a.CountryCode, Zip: a.Zip, Phone: a.Phone,
	}
}

// upperEnum is s upper-cased when it names a value of an enum (valid
// reports which), else fallback.
func upperEnum[T ~string](s string, valid func(T) bool, fallback T) T {
	if v := T(strings.ToUpper(s)); valid(v) {
		return v
	}
	return fallback
}

// discountApplication is an order's discount as the Storefront API types
// it by kind.
func discountApplication(d storekeep.OrderDiscount, currency string) model.DiscountApplication {
	method := upperEnum(d.AllocationMethod, model.DiscountApplicationAllocationMethod.IsValid, model.DiscountApplicationAllocationMethodAcross)
	selection := upperEnum(d.TargetSelection, model.DiscountApplicationTargetSelection.IsValid, model.DiscountApplicationTargetSelectionAll)
	target := upperEnum(d.TargetType, model.DiscountApplicationTargetType.IsValid, model.DiscountApplicationTargetTypeLineItem)
	var value model.PricingValue = money(d.Value, currency)
	if d.ValueType == "percentage" {
		p, _ := strconv.ParseFloat(d.Value, 64)
		value = model.PricingPercentageValue{Percentage: p}
	}
	title := order.DiscountTitle(d)
	switch d.Kind {
	case "discount_code":
		return model.DiscountCodeApplication{AllocationMethod: method, Applicable: true, Code: d.Code,
			TargetSelection: selection, TargetType: target, Value: value}
	case "manual":
		return model.ManualDiscountApplication{AllocationMethod: method, Description: nonEmpty(d.Description),
			TargetSelection: selection, TargetType: target, Title: title, Value: value}
	case "script":
		return model.ScriptDiscountApplication{AllocationMethod: method, TargetSelection: selection, TargetType: target,
			Title: title, Value: value}
	}
	return model.AutomaticDiscountApplication{AllocationMethod: method, TargetSelection: selection, TargetType: target,
		Title: title, Value: value}
}

// lineItem is a line of o as the Storefront API shows it.
func lineItem(li storekeep.OrderLineItem, o order.Keyed) model.OrderLineItem {
	original, discounted := order.LineTotals(li)
	out := model.OrderLineItem{
		Title: li.Title, Quantity: int(li.Quantity), CurrentQuantity: int(li.CurrentQuantity),
		DiscountAllocations:  make([]model.DiscountAllocation, len(li.Discounts)),
		OriginalTotalPrice:   moneyMilli(original, o.Currency),
		DiscountedTotalPrice: moneyMilli(discounted, o.Currency),
	}
	for i, a := range li.Discounts {
		out.DiscountAllocations[i] = model.DiscountAllocation{
			AllocatedAmount:     money(a.Amount, o.Currency),
			DiscountApplication: discountApplication(o.Discounts[a.Index], o.Currency),
		}
	}
	if li.VariantID != 0 {
		out.Variant = &model.ProductVariant{
			ID: "gid://shopify/ProductVariant/" + strconv.FormatInt(li.VariantID, 10), Title: order.VariantTitle(li),
			Sku: nonEmpty(li.SKU), Price: money(li.Price, o.Currency), PriceV2: money(li.Price, o.Currency),
			Product: &model.Product{ID: "gid://shopify/Product/" + strconv.FormatInt(li.ProductID, 10),
				Handle: li.ProductHandle, Title: li.Title},
		}
	}
	return out
}

// indexed pairs an item of a list with its place, for paging lists that
// have no ids of their own.
type indexed[T any] struct {
	n    int64
	item T
}

func paged[T any](list []T, p storekeep.Page) (storekeep.Window[indexed[T]], error) {
	items := make([]indexed[T], len(list))
	for i, it := range list {
		items[i] = indexed[T]{int64(i + 1), it}
	}
	return storekeep.Paginate(items, func(it indexed[T]) int64 { return it.n }, p)
}

func pageInfo[T any](w storekeep.Window[T]) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: w.HasNextPage, HasPreviousPage: w.HasPreviousPage}
	if n := len(w.Cursors); n > 0 {
		info.StartCursor, info.EndCursor = &w.Cursors[0], &w.Cursors[n-1]
	}
	return info
}

// selectsOrderLineItems reports whether the orders connection being
// resolved selects lineItems on its orders, through nodes or edges.node,
// in any fragment and under any @skip or @include that keeps it.
func selectsOrderLineItems(ctx context.Context) bool {
	oc := graphql.GetOperationContext(ctx)
	named := func(set ast.SelectionSet, name string) []graphql.CollectedField {
		var found []graphql.CollectedField // CollectFields' slice is the operation's cached one: never changed here
		for _, f := range graphql.CollectFields(oc, set, nil) {
			if f.Name == name {
				found = append(found, f)
			}
		}
		return found
	}
	var orders []graphql.CollectedField
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		switch f.Name {
		case "nodes":
			orders = append(orders, f)
		case "edges":
			orders = append(orders, named(f.Selections, "node")...)
		}
	}
	return slices.ContainsFunc(orders, func(o graphql.CollectedField) bool { return len(named(o.Selections, "lineItems")) > 0 })
}
