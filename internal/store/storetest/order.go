package storetest

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/storekeep/storekeep"
)

// sampleOrder is a full order of shop to email, updated at updated.
func sampleOrder(shop storekeep.Shop, id int64, email string, updated time.Time) storekeep.Order {
	return storekeep.Order{
		ShopID: shop.ID, ID: id, Email: email, EmailKey: storekeep.NormalizeEmail(email), Phone: "+15555550100",
		Name: fmt.Sprintf("#%d", 1000+id), OrderNumber: 1000 + id, Currency: "EUR",
		FinancialStatus: "paid", FulfillmentStatus: "unfulfilled", StatusURL: "https://" + shop.Domain + "/status/" + strconv.FormatInt(id, 10),
		ProcessedAt: t0.Add(time.Duration(id) * time.Hour), UpdatedAt: updated,
		Totals: storekeep.OrderTotals{Subtotal: "10.00", Total: strconv.FormatInt(id*3%7, 10) + ".50", Tax: "1.00", Shipping: "2.00",
			Refunded: "0.00", CurrentSubtotal: "10.00", CurrentTotal: "12.50", CurrentTax: "1.00"},
		ShippingAddress: &storekeep.OrderAddress{FirstName: "Ada", LastName: "L", Address1: "1 Rue", City: "Paris",
			Country: "France", CountryCode: "FR", Zip: "75001"},
		Discounts: []storekeep.OrderDiscount{{Kind: "discount_code", Code: "TEN", Value: "10.0", ValueType: "percentage",
			AllocationMethod: "across", TargetSelection: "all", TargetType: "line_item"}},
		LineItems: []storekeep.OrderLineItem{
			{Title: "Tea", Quantity: 2, CurrentQuantity: 2, Price: "3.00", SKU: "T1", VariantID: 7, ProductID: 8,
				ProductHandle: "tea", Discounts: []storekeep.OrderDiscountAllocation{{Amount: "0.60", Index: 0}}},
			{Title: "Cup", Quantity: 1, CurrentQuantity: 0, Price: "4.00"},
		},
	}
}

func (f fixture) writeOrder(w storekeep.OrderWrite, want storekeep.OrderWriteResult) {
	f.Helper()
	got, err := f.s.WriteOrder(f.ctx, w)
	f.must(err)
	if got != want {
		f.Fatalf("WriteOrder(order %d, webhook %q, delete %v) = %s, want %s", w.Order.ID, w.WebhookID, w.Delete, got, want)
	}
}

func (f fixture) customerOrderIDs(p storekeep.OrderPage) []int64 {
	f.Helper()
	list, err := f.s.CustomerOrders(f.ctx, p)
	f.must(err)
	ids := []int64{}
	for _, o := range list {
		ids = append(ids, o.ID)
	}
	return ids
}

// customerWithOrders writes orders 1 to n of a verified customer of a
// new shop and returns the shop and the page of all its orders.
func (f fixture) customerWithOrders(n int64) (storekeep.Shop, storekeep.OrderPage) {
	f.Helper()
	shop := f.shop("a.example")
	c := f.verifiedCustomer(shop, "a@a.example")
	for id := int64(1); id <= n; id++ {
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, id, "a@a.example", t0), At: t0}, storekeep.OrderSaved)
	}
	return shop, storekeep.OrderPage{ShopID: shop.ID, CustomerID: c.ID, EmailKey: c.EmailKey}
}

var orderRules = []rule{
	{"OrderIsReadBackAsWritten", func(f fixture) {
		shop := f.shop("a.example")
		c := f.verifiedCustomer(shop, "ada@a.example")
		o := sampleOrder(shop, 1, "Ada@A.example", t0)
		f.writeOrder(storekeep.OrderWrite{Order: o, At: t0}, storekeep.OrderSaved)
		got, err := f.s.OrderByID(f.ctx, shop.ID, 1)
		f.must(err)
		want := o
		want.CustomerID = c.ID
		same(f, "OrderByID", got, want)
		_, err = f.s.OrderByID(f.ctx, f.shop("b.example").ID, 1)
		f.is(err, storekeep.ErrNotFound, "the order read in another shop")
	}},
	{"OrderEmailKeyIsTheAddressOfALiveOrder", func(f fixture) {
		shop := f.shop("a.example")
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 1, "Ada@A.example", t0), At: t0}, storekeep.OrderSaved)
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 2, "", t0), At: t0}, storekeep.OrderSaved)
		key, err := f.s.OrderEmailKey(f.ctx, shop.ID, 1)
		f.must(err)
		if key != "ada@a.example" {
			f.Fatalf("OrderEmailKey of an order to Ada@A.example = %q", key)
		}
		key, err = f.s.OrderEmailKey(f.ctx, shop.ID, 2)
		f.must(err)
		if key != "" {
			f.Fatalf("OrderEmailKey of an order without email = %q", key)
		}
		_, err = f.s.OrderEmailKey(f.ctx, f.shop("b.example").ID, 1)
		f.is(err, storekeep.ErrNotFound, "the order's key read in another shop")
		_, err = f.s.OrderEmailKey(f.ctx, shop.ID, 3)
		f.is(err, storekeep.ErrNotFound, "an unknown order's key")
		f.writeOrder(storekeep.OrderWrite{Order: storekeep.Order{ShopID: shop.ID, ID: 1}, Delete: true, At: t0}, storekeep.OrderDeleted)
		_, err = f.s.OrderEmailKey(f.ctx, shop.ID, 1)
		f.is(err, storekeep.ErrNotFound, "a deleted order's key")
	}},
	{"AnOlderUpdateNeverOverwritesANewerOne", func(f fixture) {
		shop := f.shop("a.example")
		newer := sampleOrder(shop, 1, "ada@a.example", t0.Add(time.Minute))
		newer.FinancialStatus = "refunded"
		f.writeOrder(storekeep.OrderWrite{Order: newer, At: t0}, storekeep.OrderSaved)
		older := sampleOrder(shop, 1, "ada@a.example", t0)
		older.LineItems = older.LineItems[:1]
		f.writeOrder(storekeep.OrderWrite{Order: older, At: t0}, storekeep.OrderStale)
		f.writeOrder(storekeep.OrderWrite{Order: newer, At: t0}, storekeep.OrderStale)
		got, err := f.s.OrderByID(f.ctx, shop.ID, 1)
		f.must(err)
		if got.FinancialStatus != "refunded" || len(got.LineItems) != 2 {
			f.Fatalf("order after an older update: %s with %d lines, want the newer one", got.FinancialStatus, len(got.LineItems))
		}
		newest := sampleOrder(shop, 1, "ada@a.example", t0.Add(time.Hour))
		newest.LineItems = newest.LineItems[1:]
		f.writeOrder(storekeep.OrderWrite{Order: newest, At: t0}, storekeep.OrderSaved)
		got, err = f.s.OrderByID(f.ctx, shop.ID, 1)
		f.must(err)
		if len(got.LineItems) != 1 || got.LineItems[0].Title != "Cup" {
			f.Fatalf("line items after a newer update: %+v", got.LineItems)
		}
	}},
	{"ConcurrentUpdatesLeaveTheNewestWithItsLines", func(f fixture) {
		shop := f.shop("a.example")
		const writers = 8
		var wg sync.WaitGroup
		errs := make(chan error, 2*writers)
		for i := range writers {
			o := sampleOrder(shop, 1, "a@a.example", t0.Add(time.Duration(i)*time.Minute))
			o.Name = fmt.Sprintf("v%d", i)
			o.LineItems = o.LineItems[:1+i%2]
			for _, id := range []string{fmt.Sprint("w", i), "same"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := f.s.WriteOrder(f.ctx, storekeep.OrderWrite{Order: o, WebhookID: id, At: t0})
					errs <- err
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			f.must(err)
		}
		got, err := f.s.OrderByID(f.ctx, shop.ID, 1)
		f.must(err)
		want := fmt.Sprintf("v%d", writers-1)
		if got.Name != want || len(got.LineItems) != 1+(writers-1)%2 {
			f.Fatalf("after concurrent writes: %s with %d lines, want %s with %d", got.Name, len(got.LineItems), want, 1+(writers-1)%2)
		}
	}},
	{"ARepeatedWebhookDeliveryChangesNothing", func(f fixture) {
		shop, other := f.shop("a.example"), f.shop("b.example")
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 1, "a@a.example", t0), WebhookID: "w1", At: t0}, storekeep.OrderSaved)
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 2, "a@a.example", t0), WebhookID: "w1", At: t0}, storekeep.OrderDuplicate)
		if _, err := f.s.OrderByID(f.ctx, shop.ID, 2); err == nil {
			f.Fatal("a repeated delivery id stored its order")
		}
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(other, 2, "a@a.example", t0), WebhookID: "w1", At: t0}, storekeep.OrderSaved)
		later := t0.Add(73 * time.Hour)
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 3, "a@a.example", t0), WebhookID: "w2", At: later}, storekeep.OrderSaved)
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 4, "a@a.example", t0), WebhookID: "w1", At: later}, storekeep.OrderSaved)
	}},
	{"ADeletedOrderStaysDeleted", func(f fixture) {
		shop := f.shop("a.example")
		c := f.verifiedCustomer(shop, "a@a.example")
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 1, "a@a.example", t0), At: t0}, storekeep.OrderSaved)
		gone := storekeep.OrderWrite{Order: storekeep.Order{ShopID: shop.ID, ID: 1}, Delete: true, At: t0}
		f.writeOrder(gone, storekeep.OrderDeleted)
		f.writeOrder(gone, storekeep.OrderStale)
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 1, "a@a.example", t0.Add(time.Hour)), At: t0}, storekeep.OrderStale)
		_, err := f.s.OrderByID(f.ctx, shop.ID, 1)
		f.is(err, storekeep.ErrNotFound, "a deleted order")
		f.writeOrder(storekeep.OrderWrite{Order: storekeep.Order{ShopID: shop.ID, ID: 2}, Delete: true, At: t0}, storekeep.OrderDeleted)
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 2, "a@a.example", t0), At: t0}, storekeep.OrderStale)
		n, err := f.s.CountCustomerOrders(f.ctx, storekeep.OrderPage{ShopID: shop.ID, CustomerID: c.ID, EmailKey: c.EmailKey})
		f.must(err)
		if n != 0 {
			f.Fatalf("a customer whose orders were deleted has %d", n)
		}
		if raw, ok := f.s.(Raw); ok {
			found, err := raw.ContainsRaw(f.ctx, []byte("1 Rue"))
			f.must(err)
			if found {
				f.Fatal("a deleted order's address is still stored")
			}
		}
	}},
	{"OrdersAttachToTheCustomerWithTheirEmailAlsoWhenItSignsUpLater", func(f fixture) {
		shop, other := f.shop("a.example"), f.shop("b.example")
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 1, "Late@A.example", t0), At: t0}, storekeep.OrderSaved)
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 2, "someone@a.example", t0), At: t0}, storekeep.OrderSaved)
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(other, 3, "late@a.example", t0), At: t0}, storekeep.OrderSaved)
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 4, "", t0), At: t0}, storekeep.OrderSaved)
		c := f.verifiedCustomer(shop, "late@a.example")
		p := storekeep.OrderPage{ShopID: shop.ID, CustomerID: c.ID, EmailKey: c.EmailKey, Limit: 10}
		if got := f.customerOrderIDs(p); !slices.Equal(got, []int64{1}) {
			f.Fatalf("orders of a customer who signed up after ordering: %v, want [1]", got)
		}
		f.writeOrder(storekeep.OrderWrite{Order: sampleOrder(shop, 5, "late@a.example", t0), At: t0}, storekeep.OrderSaved)
		c.Email, c.EmailKey = "new@a.example", "new@a.example"
		_, err := f.updateCustomer(storekeep.CustomerUpdate{Customer: c})
		f.must(err)
		p.EmailKey = c.EmailKey
		if got := f.customerOrderIDs(p); !slices.Equal(got, []int64{5}) {
			f.Fatalf("orders after the email changed: %v, want the one attached while it matched, [5]", got)
		}
	}},
	{"CustomerOrdersPageByEachSortKeyBothWays", func(f fixture) {
		shop, base := f.customerWithOrders(7)
		cursor := func(sort storekeep.OrderSortKey, o storekeep.Order) *storekeep.OrderCursor {
			switch sort {
			case storekeep.OrderSortProcessedAt:
				return &storekeep.OrderCursor{Value: o.ProcessedAt.Format(time.RFC3339Nano), ID: o.ID}
			case storekeep.OrderSortTotalPrice:
				m, _ := storekeep.MilliUnits(o.Totals.Total)
				return &storekeep.OrderCursor{Value: strconv.FormatInt(m, 10), ID: o.ID}
			}
			return &storekeep.OrderCursor{Value: strconv.FormatInt(o.ID, 10), ID: o.ID}
		}
		for sort, want := range map[storekeep.OrderSortKey][]int64{
			storekeep.OrderSortID: {1, 2, 3, 4, 5, 6, 7}, storekeep.OrderSortProcessedAt: {1, 2, 3, 4, 5, 6, 7},
			storekeep.OrderSortTotalPrice: {7, 5, 3, 1, 6, 4, 2},
		} {
			for _, reverse := range []bool{false, true} {
				w := slices.Clone(want)
				if reverse {
					slices.Reverse(w)
				}
				p := base
				p.Sort, p.Reverse = sort, reverse
				if got := f.customerOrderIDs(p); !slices.Equal(got, w) {
					f.Fatalf("%s reverse %v: %v, want %v", sort, reverse, got, w)
				}
				third, err := f.s.OrderByID(f.ctx, shop.ID, w[2])
				f.must(err)
				p.Cursor, p.Limit = cursor(sort, third), 2
				if got := f.customerOrderIDs(p); !slices.Equal(got, w[3:5]) {
					f.Errorf("%s reverse %v: 2 after %d: %v, want %v", sort, reverse, w[2], got, w[3:5])
				}
				p.Backward = true
				if got := f.customerOrderIDs(p); !slices.Equal(got, w[:2]) {
					f.Errorf("%s reverse %v: 2 before %d: %v, want %v", sort, reverse, w[2], got, w[:2])
				}
			}
		}
		p := base
		p.Filter.ProcessedFrom, p.Filter.ProcessedTo = t0.Add(2*time.Hour), t0.Add(4*time.Hour)
		if got := f.customerOrderIDs(p); !slices.Equal(got, []int64{2, 3}) {
			f.Errorf("processed in [2h, 4h): %v, want [2 3]", got)
		}
		n, err := f.s.CountCustomerOrders(f.ctx, p)
		f.must(err)
		if n != 7 {
			f.Errorf("CountCustomerOrders = %d, want 7", n)
		}
	}},
	{"CustomerOrdersReadLineItemsOnlyWhenAskedFor", func(f fixture) {
		_, p := f.customerWithOrders(3)
		with, err := f.s.CustomerOrders(f.ctx, p)
		f.must(err)
		p.WithoutLineItems = true
		without, err := f.s.CustomerOrders(f.ctx, p)
		f.must(err)
		if len(with) != 3 || len(without) != 3 {
			f.Fatalf("%d orders with line items and %d without, want 3 each", len(with), len(without))
		}
		for i := range with {
			if len(with[i].LineItems) != 2 || without[i].LineItems != nil {
				f.Errorf("order %d: %d line items when asked for, %d when not, want 2 and none",
					with[i].ID, len(with[i].LineItems), len(without[i].LineItems))
			}
			want := with[i]
			want.LineItems = nil
			same(f, "an order read without its line items", without[i], want)
		}
	}},
	{"CustomerOrdersFilterBoundsCloserThanTheStoresPrecision", func(f fixture) {
		_, p := f.customerWithOrders(3)
		at := t0.Add(2 * time.Hour)
		p.Filter.ProcessedTo = at.Add(time.Nanosecond)
		if got := f.customerOrderIDs(p); !slices.Equal(got, []int64{1, 2}) {
			f.Errorf("processed before 1ns after order 2: %v, want [1 2]", got)
		}
		p.Filter.ProcessedFrom, p.Filter.ProcessedTo = at.Add(time.Nanosecond), time.Time{}
		if got := f.customerOrderIDs(p); !slices.Equal(got, []int64{3}) {
			f.Errorf("processed from 1ns after order 2: %v, want [3]", got)
		}
		p.Filter.ProcessedFrom, p.Filter.ProcessedTo = at, at.Add(time.Nanosecond)
		if got := f.customerOrderIDs(p); !slices.Equal(got, []int64{2}) {
			f.Errorf("processed within 1ns of order 2: %v, want [2]", got)
		}
	}},
	{"CustomerOrdersFilterByStatus", func(f fixture) {
		shop := f.shop("a.example")
		c := f.verifiedCustomer(shop, "a@a.example")
		for id, status := range []string{"paid", "refunded", "paid"} {
			o := sampleOrder(shop, int64(id+1), "a@a.example", t0)
			o.FinancialStatus = status
			o.FulfillmentStatus = []string{"fulfilled", "unfulfilled", "unfulfilled"}[id]
			f.writeOrder(storekeep.OrderWrite{Order: o, At: t0}, storekeep.OrderSaved)
		}
		p := storekeep.OrderPage{ShopID: shop.ID, CustomerID: c.ID, EmailKey: c.EmailKey}
		p.Filter.FinancialStatus = "paid"
		if got := f.customerOrderIDs(p); !slices.Equal(got, []int64{1, 3}) {
			f.Errorf("paid: %v", got)
		}
		p.Filter.FulfillmentStatus = "unfulfilled"
		if got := f.customerOrderIDs(p); !slices.Equal(got, []int64{3}) {
			f.Errorf("paid and unfulfilled: %v", got)
		}
	}},
	{"WebhookShopsAreTheShopsKeepingAWebhookSecret", func(f fixture) {
		a, b, c := f.shop("a.example"), f.shop("b.example"), f.shop("c.example")
		list := func() []string {
			shops, err := f.s.WebhookShops(f.ctx)
			f.must(err)
			var domains []string
			for _, s := range shops {
				domains = append(domains, s.Domain)
			}
			return domains
		}
		if got := list(); len(got) != 0 {
			f.Fatalf("WebhookShops without secrets = %v, want none", got)
		}
		f.must(f.s.UpdateShop(f.ctx, c, storekeep.ShopSecrets{Webhook: new("shpss_c-0123456789abcdef")}))
		f.must(f.s.UpdateShop(f.ctx, a, storekeep.ShopSecrets{Webhook: new("shpss_a-0123456789abcdef"),
			Multipass: new("multipass-a-0123456789abcdef")}))
		f.must(f.s.UpdateShop(f.ctx, b, storekeep.ShopSecrets{Multipass: new("multipass-b-0123456789abcdef")}))
		if got := list(); !slices.Equal(got, []string{"a.example", "c.example"}) {
			f.Fatalf("WebhookShops = %v, want a.example and c.example", got)
		}
		f.must(f.s.UpdateShop(f.ctx, c, storekeep.ShopSecrets{Webhook: new(string)}))
		if got := list(); !slices.Equal(got, []string{"a.example"}) {
			f.Fatalf("WebhookShops after c's secret was removed = %v, want a.example", got)
		}
	}},
	{"WebhookSecretIsSealedAtRest", func(f fixture) {
		shop := f.shop("a.example")
		_, secret, err := f.s.WebhookSecret(f.ctx, "a.example")
		f.must(err)
		if secret != nil {
			f.Fatalf("a new shop has webhook secret %q", secret)
		}
		want := []byte("shpss_0123456789abcdef-webhook")
		f.must(f.s.UpdateShop(f.ctx, shop, storekeep.ShopSecrets{Webhook: new(string(want))}))
		got, secret, err := f.s.WebhookSecret(f.ctx, "a.example")
		f.must(err)
		if got.ID != shop.ID || string(secret) != string(want) {
			f.Fatalf("WebhookSecret = %d %q, want %d %q", got.ID, secret, shop.ID, want)
		}
		if raw, ok := f.s.(Raw); ok {
			found, err := raw.ContainsRaw(f.ctx, want)
			f.must(err)
			if found {
				f.Fatal("the webhook secret is stored in clear")
			}
		}
		_, _, err = f.s.WebhookSecret(f.ctx, "b.example")
		f.is(err, storekeep.ErrNotFound, "WebhookSecret of an unknown shop")
		unknown := shop
		unknown.ID += 99
		f.is(f.s.UpdateShop(f.ctx, unknown, storekeep.ShopSecrets{Webhook: new(string(want))}), storekeep.ErrNotFound,
			"UpdateShop of an unknown shop with a webhook secret")
		f.must(f.s.UpdateShop(f.ctx, shop, storekeep.ShopSecrets{Webhook: new(string)}))
		_, secret, err = f.s.WebhookSecret(f.ctx, "a.example")
		f.must(err)
		if secret != nil {
			f.Fatalf("a cleared webhook secret reads %q", secret)
		}
	}},
}
