package graph

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/ratelimit"
	"github.com/storekeep/storekeep/internal/store/sqlite"
	"github.com/storekeep/storekeep/internal/store/sqlite/sqlitetest"
	"github.com/storekeep/storekeep/order"
)

// pageRecorder is the SQLite store, noting each order page asked of it.
type pageRecorder struct {
	*sqlite.Store
	mu    sync.Mutex
	pages []storekeep.OrderPage
}

func (r *pageRecorder) CustomerOrders(ctx context.Context, p storekeep.OrderPage) ([]storekeep.Order, error) {
	r.mu.Lock()
	r.pages = append(r.pages, p)
	r.mu.Unlock()
	return r.Store.CustomerOrders(ctx, p)
}

func (r *pageRecorder) take() []storekeep.OrderPage {
	r.mu.Lock()
	defer r.mu.Unlock()
	pages := r.pages
	r.pages = nil
	return pages
}

// TestOrdersReadLineItemsOnlyWhenTheQuerySelectsThem: an order holds up
// to 1,000 line items, so a listing of 250 orders that asks for none of
// them (an orders page asking only for names and totals, or a client that
// pages ids) must not read a quarter of a million rows to throw them away.
// However lineItems is reached (nodes, edges, a fragment, a directive that
// keeps it), the listing reads them, and answers them.
func TestOrdersReadLineItemsOnlyWhenTheQuerySelectsThem(t *testing.T) {
	store, keys := sqlitetest.Open(t)
	rec := &pageRecorder{Store: store}
	ctx := t.Context()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	shop, err := store.CreateShop(ctx, storekeep.Shop{Domain: "shop.example", Name: "Shop", Enumeration: storekeep.EnumerationPrivate}, storekeep.ShopSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := store.CreateCustomer(ctx, storekeep.Customer{ShopID: shop.ID, Email: "ada@shop.example",
		EmailKey: storekeep.NormalizeEmail("ada@shop.example"), State: storekeep.CustomerEnabled,
		EmailVerifiedAt: now, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 2; id++ {
		o := storekeep.Order{ShopID: shop.ID, ID: id, Email: c.Email, EmailKey: c.EmailKey, Name: fmt.Sprintf("#%d", 1000+id),
			OrderNumber: 1000 + id, Currency: "EUR", ProcessedAt: now, UpdatedAt: now,
			Totals:    storekeep.OrderTotals{Subtotal: "7.00", Total: "7.00", Tax: "0.00", Shipping: "0.00", Refunded: "0.00"},
			LineItems: []storekeep.OrderLineItem{{Title: "Tea", Quantity: 1, CurrentQuantity: 1, Price: "3.00"}, {Title: "Cup", Quantity: 1, CurrentQuantity: 1, Price: "4.00"}}}
		if _, err := store.WriteOrder(ctx, storekeep.OrderWrite{Order: o, At: now}); err != nil {
			t.Fatal(err)
		}
	}
	books := order.New(order.Deps{Store: rec, Limiter: ratelimit.NewMemory(func() time.Time { return now }, 0, nil), Keys: keys,
		Now: func() time.Time { return now }}, order.Config{})
	srv := newServer(&Resolver{OrderBook: books}, options{limits: DefaultLimits})
	srv.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
		if graphql.GetFieldContext(ctx).Object == "QueryRoot" {
			return &c, nil
		}
		return next(ctx)
	})

	const lines = `"lineItems":{"nodes":[{"title":"Tea"},{"title":"Cup"}]}`
	cases := []struct {
		name, selection string
		reads           bool
	}{
		{"nodes without lineItems", `nodes { name }`, false},
		{"edges without lineItems", `edges { cursor node { name } } pageInfo { hasNextPage }`, false},
		{"lineItems skipped", `nodes { name lineItems(first: 5) @skip(if: true) { nodes { title } } }`, false},
		{"lineItems on nodes", `nodes { name lineItems(first: 5) { nodes { title } } }`, true},
		{"lineItems beside name on edges", `edges { node { name lineItems(first: 5) { nodes { title } } } }`, true},
		{"lineItems on edges", `edges { node { lineItems(first: 5) { nodes { title } } } }`, true},
		{"lineItems in an inline fragment", `nodes { ... on Order { lineItems(first: 5) { nodes { title } } } }`, true},
		{"lineItems in a fragment", `nodes { ...lines }`, true},
		{"lineItems included", `nodes { lineItems(first: 5) @include(if: true) { nodes { title } } }`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := allScopes()
			s.Shop = shop
			query := `{ customer(customerAccessToken: "t") { orders(first: 250) { ` + tc.selection + ` } } }`
			if strings.Contains(tc.selection, "...lines") {
				query += ` fragment lines on Order { lineItems(first: 5) { nodes { title } } }`
			}
			status, body := postJSON(t, srv, &s, query, nil)
			pages := rec.take()
			if status != http.StatusOK || strings.Contains(string(body), `"errors"`) || len(pages) != 1 {
				t.Fatalf("%d %s after %d order pages", status, body, len(pages))
			}
			if pages[0].WithoutLineItems == tc.reads {
				t.Errorf("line items read: %v, want %v", !pages[0].WithoutLineItems, tc.reads)
			}
			if tc.reads && strings.Count(string(body), lines) != 2 {
				t.Errorf("answer %s, want each order's two lines", body)
			}
			if strings.Contains(tc.selection, "name") && strings.Count(string(body), `"name":"#100`) != 2 {
				t.Errorf("answer %s, want each order's name beside what the check looked at", body)
			}
		})
	}
}
