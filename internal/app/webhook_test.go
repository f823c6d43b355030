package app_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/order"
)

const webhookSecret = "shpss_app_test_secret"

func signWebhook(body []byte) string {
	m := hmac.New(sha256.New, []byte(webhookSecret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func sampleOrderPayload(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../../order/testdata/orders_create.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// postWebhook sends a delivery as Shopify does and returns the status.
func (n *node) postWebhook(method, topic, id, signature string, body []byte, header ...string) int {
	n.t.Helper()
	req, err := http.NewRequest(method, n.base+"/webhooks/shopify", bytes.NewReader(body))
	if err != nil {
		n.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Topic", topic)
	req.Header.Set("X-Shopify-Shop-Domain", n.shop.Domain)
	req.Header.Set("X-Shopify-Webhook-Id", id)
	req.Header.Set("X-Shopify-Hmac-Sha256", signature)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (n *node) setWebhookSecret() {
	n.t.Helper()
	if err := n.app.Store.UpdateShop(context.Background(), n.shop, storekeep.ShopSecrets{Webhook: new(webhookSecret)}); err != nil {
		n.t.Fatal(err)
	}
}

// deliverSampleOrder sets the shop's webhook secret and delivers Shopify's
// sample order as a signed orders/create.
func (n *node) deliverSampleOrder() {
	n.t.Helper()
	n.setWebhookSecret()
	body := sampleOrderPayload(n.t)
	if got := n.postWebhook(http.MethodPost, "orders/create", "w1", signWebhook(body), body); got != http.StatusOK {
		n.t.Fatalf("webhook: %d", got)
	}
}

func TestWebhookAnswersOverHTTP(t *testing.T) {
	n := startNode(t)
	n.setWebhookSecret()
	body := sampleOrderPayload(t)
	huge := append(bytes.Repeat([]byte(" "), order.MaxWebhookBytes), body...)
	cases := []struct {
		name, method, topic, id, sig string
		body                         []byte
		want                         int
	}{
		{"signed order", http.MethodPost, "orders/create", "1", signWebhook(body), body, http.StatusOK},
		{"the same delivery again", http.MethodPost, "orders/create", "1", signWebhook(body), body, http.StatusOK},
		{"unknown topic", http.MethodPost, "carts/update", "2", signWebhook([]byte("{}")), []byte("{}"), http.StatusOK},
		{"bad signature", http.MethodPost, "orders/create", "3", signWebhook([]byte("other")), body, http.StatusUnauthorized},
		{"GET", http.MethodGet, "orders/create", "4", signWebhook(nil), nil, http.StatusMethodNotAllowed},
		{"body over 1 MiB", http.MethodPost, "orders/create", "5", signWebhook(huge), huge, http.StatusRequestEntityTooLarge},
		{"signed but not an order", http.MethodPost, "orders/create", "6", signWebhook([]byte("[]")), []byte("[]"), http.StatusBadRequest},
	}
	for _, c := range cases {
		if got := n.postWebhook(c.method, c.topic, c.id, c.sig, c.body); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
	if got := n.postWebhook(http.MethodPost, "orders/create", "7", signWebhook(body), body,
		"X-Oversize", strings.Repeat("a", 2<<20)); got != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("2 MiB header: status %d, want 431", got)
	}
	if _, err := n.app.Store.OrderByID(context.Background(), n.shop.ID, 820982911946154508); err != nil {
		t.Fatalf("the signed sample order was not kept: %v", err)
	}
}

func TestForgedWebhooksAreThrottled(t *testing.T) {
	n := startNode(t)
	n.setWebhookSecret()
	body := sampleOrderPayload(t)
	limit := order.DefaultConfig().BadSignaturesPerIP.Count
	for i := range limit {
		if got := n.postWebhook(http.MethodPost, "orders/create", "", "forged", body); got != http.StatusUnauthorized {
			t.Fatalf("forged delivery %d: status %d, want 401", i, got)
		}
	}
	if got := n.postWebhook(http.MethodPost, "orders/create", "", signWebhook(body), body); got != http.StatusTooManyRequests {
		t.Fatalf("a signed delivery after %d forged ones from the same IP: status %d, want 429", limit, got)
	}
	if _, err := n.app.Store.OrderByID(context.Background(), n.shop.ID, 820982911946154508); err == nil {
		t.Fatal("a throttled delivery was kept")
	}
}

// A full limiter (--limiter-keys counters, as forged deliveries from as
// many IPs can make) holds back the clients that have spent their
// allowance of bad deliveries, not Shopify's genuine ones from an IP that
// has sent none: the orders would stop while the limiter stays full.
func TestAFullLimiterStillTakesGenuineDeliveries(t *testing.T) {
	const keys = 20
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.LimiterKeys = keys
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	n.setWebhookSecret()
	body := sampleOrderPayload(t)
	for i := range keys + 5 {
		if got := n.postWebhook(http.MethodPost, "orders/create", "", "forged", body, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1)); got != http.StatusUnauthorized {
			t.Fatalf("forged delivery %d: status %d, want 401", i+1, got)
		}
	}
	if got := n.postWebhook(http.MethodPost, "orders/create", "genuine", signWebhook(body), body, "X-Forwarded-For", "198.51.100.7"); got != http.StatusOK {
		t.Fatalf("a signed delivery from a new IP while the limiter is full: status %d, want 200", got)
	}
	if _, err := n.app.Store.OrderByID(context.Background(), n.shop.ID, 820982911946154508); err != nil {
		t.Fatalf("the genuine delivery's order: %v", err)
	}
}

// sampleOrderWithDiscount is the sample order with one discount
// application whose fields are those given.
func sampleOrderWithDiscount(t *testing.T, allocationMethod, value string) []byte {
	return []byte(strings.Replace(string(sampleOrderPayload(t)), `"discount_applications": []`,
		`"discount_applications": [{"target_type": "line_item", "type": "discount_code", "value": "`+value+
			`", "value_type": "percentage", "allocation_method": "`+allocationMethod+`", "target_selection": "all", "code": "TEN"}]`, 1))
}

func TestANulInADiscountIsABadPayloadNotAServerError(t *testing.T) {
	n := startNode(t)
	n.setWebhookSecret()
	body := sampleOrderWithDiscount(t, `across\u0000`, "10.0")
	if got := n.postWebhook(http.MethodPost, "orders/create", "nul-1", signWebhook(body), body); got != http.StatusBadRequest {
		t.Errorf("signed order with NUL in a discount's allocation_method: status %d, want 400", got)
	}
	if _, err := n.app.Orders.Import(context.Background(), n.shop, body); !errors.Is(err, order.ErrBadPayload) {
		t.Errorf("import of the same order: %v, want ErrBadPayload", err)
	}
}

func TestADiscountValueThatIsNotADecimalIsRefused(t *testing.T) {
	n := startNode(t)
	n.setWebhookSecret()
	for i, value := range []string{"NaN", "Inf", "1e999", "0x10"} {
		body := sampleOrderWithDiscount(t, "across", value)
		if got := n.postWebhook(http.MethodPost, "orders/create", fmt.Sprint("v", i), signWebhook(body), body); got != http.StatusBadRequest {
			t.Errorf("a discount value %s: status %d, want 400", value, got)
		}
	}
	if _, err := n.app.Store.OrderByID(context.Background(), n.shop.ID, 820982911946154508); err == nil {
		t.Fatal("an order with a discount value that is not a decimal was kept")
	}
}

func TestAThrottledDeliveryIsRefusedBeforeItsBodyIsRead(t *testing.T) {
	n := startNode(t)
	n.setWebhookSecret()
	body := sampleOrderPayload(t)
	for range order.DefaultConfig().BadSignaturesPerIP.Count {
		n.postWebhook(http.MethodPost, "orders/create", "", "forged", body)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(n.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /webhooks/shopify HTTP/1.1\r\nHost: x\r\nX-Shopify-Topic: orders/create\r\n"+
		"X-Shopify-Shop-Domain: %s\r\nX-Shopify-Hmac-Sha256: forged\r\nContent-Length: %d\r\n\r\n", n.shop.Domain, order.MaxWebhookBytes)
	conn.Write(bytes.Repeat([]byte(" "), 1024))
	conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer within 3 s while the body (1 KiB of 1 MiB) was still coming: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "60" {
		t.Fatalf("status %d, Retry-After %q; want 429, 60", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestAWebhookIDThatIsNotUTF8IsIgnoredNotAServerError(t *testing.T) {
	n := startNode(t)
	n.setWebhookSecret()
	body := sampleOrderPayload(t)
	if got := n.postWebhook(http.MethodPost, "orders/create", "id-\xff", signWebhook(body), body); got != http.StatusOK {
		t.Errorf("signed delivery with X-Shopify-Webhook-Id \"id-\\xff\": status %d, want 200", got)
	}
	if _, err := n.app.Store.OrderByID(context.Background(), n.shop.ID, 820982911946154508); err != nil {
		t.Fatalf("the order was not kept: %v", err)
	}
}

// The topic is not signed: a captured orders/create (or any body the
// shop's secret signs that has an id) replayed under orders/delete with a
// new delivery id must not delete the order for good.
func TestAnOrderBodyReplayedAsADeletionDeletesNothing(t *testing.T) {
	n := startNode(t)
	n.deliverSampleOrder()
	body := sampleOrderPayload(t)
	customer := []byte(`{"id": 820982911946154508, "email": "jon@example.com", "created_at": "2021-12-31T19:00:00-05:00"}`)
	customerDeleted := []byte(`{"id": 820982911946154508, "phone": null, "addresses": [],
		"admin_graphql_api_id": "gid://shopify/Customer/820982911946154508"}`)
	for i, b := range [][]byte{body, customer, customerDeleted} {
		if got := n.postWebhook(http.MethodPost, "orders/delete", fmt.Sprint("replay-", i), signWebhook(b), b); got != http.StatusBadRequest {
			t.Errorf("body %d replayed as orders/delete: status %d, want 400", i, got)
		}
	}
	if _, err := n.app.Store.OrderByID(context.Background(), n.shop.ID, 820982911946154508); err != nil {
		t.Fatalf("the order after its orders/create body was replayed as orders/delete: %v", err)
	}
	del := []byte(`{"id": 820982911946154508}`)
	if got := n.postWebhook(http.MethodPost, "orders/delete", "genuine-delete", signWebhook(del), del); got != http.StatusOK {
		t.Fatalf("Shopify's orders/delete body: status %d, want 200", got)
	}
	if _, err := n.app.Store.OrderByID(context.Background(), n.shop.ID, 820982911946154508); !errors.Is(err, storekeep.ErrNotFound) {
		t.Fatalf("the order after a genuine orders/delete: %v, want not found", err)
	}
}

// The shop's secret signs every webhook of the shop, not orders alone: a
// checkout's, draft order's or customer's body captured by another
// receiver and replayed under an order topic must not become an order.
func TestABodyThatIsNotAnOrderIsNotKeptUnderAnOrderTopic(t *testing.T) {
	n := startNode(t)
	n.setWebhookSecret()
	bodies := map[string]string{
		"checkout": `{"id": 901, "token": "b1946ac92492d2347c6235b4d2611184", "email": "jon@example.com",
			"created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "currency": "USD",
			"total_price": "10.00", "line_items": [{"title": "IPod Nano", "quantity": 1, "price": "10.00"}]}`,
		"draft order": `{"id": 902, "name": "#D1", "email": "jon@example.com", "order_id": null,
			"created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "currency": "USD",
			"total_price": "10.00", "line_items": [{"title": "IPod Nano", "quantity": 1, "price": "10.00"}]}`,
		"customer": `{"id": 903, "email": "jon@example.com", "first_name": "Jon", "orders_count": 0,
			"created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}`,
	}
	for name, b := range bodies {
		if got := n.postWebhook(http.MethodPost, "orders/create", name, signWebhook([]byte(b)), []byte(b)); got != http.StatusBadRequest {
			t.Errorf("a %s's body under orders/create: status %d, want 400", name, got)
		}
	}
	for id := int64(901); id <= 903; id++ {
		if _, err := n.app.Store.OrderByID(context.Background(), n.shop.ID, id); !errors.Is(err, storekeep.ErrNotFound) {
			t.Errorf("order %d: %v, want not found", id, err)
		}
	}
}

// orderNumber is a GraphQL Int, 32 bits: an order_number beyond it would
// be kept and then written where no client can read it.
func TestAnOrderNumberBeyondGraphQLsIntIsRefused(t *testing.T) {
	n := startNode(t)
	n.setWebhookSecret()
	for i, number := range []string{"2147483648", "9223372036854775807", "-1"} {
		body := []byte(strings.Replace(string(sampleOrderPayload(t)), `"order_number": 1234`, `"order_number": `+number, 1))
		if got := n.postWebhook(http.MethodPost, "orders/create", fmt.Sprint("n", i), signWebhook(body), body); got != http.StatusBadRequest {
			t.Errorf("order_number %s: status %d, want 400", number, got)
		}
		if _, err := n.app.Orders.Import(context.Background(), n.shop, body); !errors.Is(err, order.ErrBadPayload) {
			t.Errorf("import with order_number %s: %v, want ErrBadPayload", number, err)
		}
	}
	if _, err := n.app.Store.OrderByID(context.Background(), n.shop.ID, 820982911946154508); !errors.Is(err, storekeep.ErrNotFound) {
		t.Fatalf("an order with an order_number beyond 2^31-1 was kept: %v", err)
	}
}

// Shopify sends every shop's webhooks from the same addresses, and any
// merchant can point their own shop's webhooks at this server: deliveries
// naming a shop storekeep does not know (or one it keeps no secret for)
// all fail, from Shopify's addresses. They spend an allowance of their
// own, shared by every such domain, and not the one of the shop whose
// genuine deliveries come from the same address.
func TestDeliveriesForUnknownShopsDoNotHoldBackAKnownShopsFromTheSameIP(t *testing.T) {
	n := startNode(t)
	n.setWebhookSecret()
	if _, err := n.app.Store.CreateShop(context.Background(), storekeep.Shop{Domain: "nosecret.example", Name: "No secret",
		Enumeration: storekeep.EnumerationPrivate}, storekeep.ShopSecrets{}); err != nil {
		t.Fatal(err)
	}
	limit := order.DefaultConfig().BadSignaturesPerIP.Count
	other := []byte(`{"id": 1, "title": "A product of another shop"}`)
	for i := range limit {
		domain := fmt.Sprintf("merchant-%d.myshopify.com", i)
		if i%2 == 1 {
			domain = "nosecret.example"
		}
		if got := n.postWebhook(http.MethodPost, "products/update", fmt.Sprint("p", i), "c2lnbmVkIGJ5IGFub3RoZXIgc2hvcA==", other,
			"X-Shopify-Shop-Domain", domain); got != http.StatusUnauthorized {
			t.Fatalf("delivery %d naming %s: status %d, want 401", i, domain, got)
		}
	}
	if got := n.postWebhook(http.MethodPost, "products/update", "p-next", "c2lnbmVkIGJ5IGFub3RoZXIgc2hvcA==", other,
		"X-Shopify-Shop-Domain", "merchant-next.myshopify.com"); got != http.StatusTooManyRequests {
		t.Fatalf("one more delivery naming yet another unknown shop: status %d, want 429", got)
	}
	body := sampleOrderPayload(t)
	if got := n.postWebhook(http.MethodPost, "orders/create", "genuine", signWebhook(body), body); got != http.StatusOK {
		t.Fatalf("the shop's genuine delivery from the same IP: status %d, want 200", got)
	}
	if _, err := n.app.Store.OrderByID(context.Background(), n.shop.ID, 820982911946154508); err != nil {
		t.Fatalf("the genuine delivery's order: %v", err)
	}
}
