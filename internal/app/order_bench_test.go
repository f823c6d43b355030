package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// BenchmarkOrderImport imports new orders in Shopify's REST JSON (the
// documented sample, two line items each); orders/s is the import rate.
func BenchmarkOrderImport(b *testing.B) {
	n := startNode(b)
	sample := string(sampleOrderPayload(b))
	const batch = 500
	next := int64(1)
	b.ResetTimer()
	for b.Loop() {
		for range batch {
			line := strings.Replace(sample, `"id": 820982911946154508`, fmt.Sprintf(`"id": %d`, next), 1)
			next++
			if _, err := n.app.Orders.Import(context.Background(), n.shop, []byte(line)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(next-1)/b.Elapsed().Seconds(), "orders/s")
}

// accountPageQuery is the shape of demo-store's account page query: the
// customer, its address book and every order with its first two lines.
const accountPageQuery = `query($token: String!) {
	customer(customerAccessToken: $token) {
		firstName lastName phone email
		defaultAddress { id formatted firstName lastName company address1 address2 country province city zip phone }
		addresses(first: 6) { edges { node { id formatted firstName lastName company address1 address2 country province city zip phone } } }
		orders(first: 250, sortKey: PROCESSED_AT, reverse: true) {
			edges { node { id orderNumber processedAt financialStatus fulfillmentStatus currentTotalPrice { amount currencyCode }
				lineItems(first: 2) { edges { node { variant { image { url altText height width } } title } } } } }
		}
	}
}`

// BenchmarkAccountPageWith50Orders times the account page's query over
// HTTP for a customer with 50 orders.
func BenchmarkAccountPageWith50Orders(b *testing.B) {
	n := startNode(b)
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 50 {
		n.importOrder(int64(i+1), "buyer@example.com", day.AddDate(0, 0, i).Format(time.RFC3339))
	}
	n.signUp("buyer@example.com", "a-long-password-1")
	token := n.proveMailbox("buyer@example.com", "a-long-password-2", 1)
	vars := map[string]any{"token": token}
	if r := n.post(accountPageQuery, vars); r.Errors != nil || strings.Count(string(r.Raw), `"orderNumber"`) != 50 {
		b.Fatalf("account page: %s", r.Raw)
	}
	b.ResetTimer()
	for b.Loop() {
		if r := n.post(accountPageQuery, vars); r.Status != 200 {
			b.Fatal(r.Status)
		}
	}
}
