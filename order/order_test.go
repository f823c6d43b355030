package order_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/ratelimit"
	"github.com/storekeep/storekeep/internal/store/sqlite"
	"github.com/storekeep/storekeep/internal/store/sqlite/sqlitetest"
	"github.com/storekeep/storekeep/order"
)

const secret = "shpss_test_webhook_secret"

type fixture struct {
	t     *testing.T
	ctx   context.Context
	store *sqlite.Store
	svc   *order.Service
	shop  storekeep.Shop
	now   time.Time
	keys  storekeep.Keyring
}

func (f *fixture) clock() time.Time { return f.now }

func newFixture(t *testing.T) *fixture {
	store, keys := sqlitetest.Open(t)
	f := &fixture{t: t, ctx: t.Context(), store: store, keys: keys, now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	f.svc = order.New(order.Deps{Store: store, Limiter: ratelimit.NewMemory(f.clock, 0, nil), Keys: keys, Now: f.clock}, order.Config{})
	f.shop = f.newShop("shop.example", secret)
	return f
}

func (f *fixture) newShop(domain, webhookSecret string) storekeep.Shop {
	f.t.Helper()
	sh, err := f.store.CreateShop(f.ctx, storekeep.Shop{Domain: domain, Name: domain, Enumeration: storekeep.EnumerationPrivate},
		storekeep.ShopSecrets{Webhook: &webhookSecret})
	if err != nil {
		f.t.Fatal(err)
	}
	return sh
}

func sign(key string, body []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withFields returns the sample order with some of its fields replaced.
func withFields(t *testing.T, replace map[string]string) []byte {
	b := sample(t, "orders_create.json")
	for k, v := range replace {
		i := bytes.Index(b, []byte(`"`+k+`": `))
		if i < 0 {
			t.Fatalf("sample has no %s", k)
		}
		end := i + bytes.IndexAny(b[i:], ",\n")
		b = append(append(append([]byte{}, b[:i]...), []byte(`"`+k+`": `+v)...), b[end:]...)
	}
	return b
}

// withDiscount returns the sample order with one discount application,
// a code of 10 percent, with field (a `"key": value` pair) in place of its
// own.
func withDiscount(t *testing.T, field string) []byte {
	key, _, _ := strings.Cut(field, ":")
	d := map[string]string{`"target_type"`: `"line_item"`, `"type"`: `"discount_code"`, `"value"`: `"10.0"`,
		`"value_type"`: `"percentage"`, `"allocation_method"`: `"across"`, `"target_selection"`: `"all"`, `"code"`: `"TEN"`}
	d[key] = strings.TrimSpace(field[len(key)+1:])
	var pairs []string
	for k, v := range d {
		pairs = append(pairs, k+": "+v)
	}
	return bytes.Replace(sample(t, "orders_create.json"), []byte(`"discount_applications": []`),
		[]byte(`"discount_applications": [{`+strings.Join(pairs, ", ")+`}]`), 1)
}

func (f *fixture) deliver(topic, id string, body []byte) (storekeep.OrderWriteResult, error) {
	return f.svc.Receive(f.ctx, order.Delivery{ShopDomain: f.shop.Domain, Topic: topic, WebhookID: id,
		Signature: sign(secret, body), Body: body, IP: "192.0.2.1"})
}

func (f *fixture) order(id int64) (storekeep.Order, bool) {
	f.t.Helper()
	o, err := f.store.OrderByID(f.ctx, f.shop.ID, id)
	if errors.Is(err, storekeep.ErrNotFound) {
		return o, false
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return o, true
}

const sampleID = 820982911946154508

func TestShopifySamplePayloadIsKept(t *testing.T) {
	f := newFixture(t)
	c, err := f.store.CreateCustomer(f.ctx, storekeep.Customer{ShopID: f.shop.ID, Email: "Jon@Example.com",
		EmailKey: storekeep.NormalizeEmail("Jon@Example.com"), State: storekeep.CustomerEnabled,
		EmailVerifiedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.deliver("orders/create", "d1", sample(t, "orders_create.json"))
	if err != nil || res != storekeep.OrderSaved {
		t.Fatalf("Receive = %q, %v", res, err)
	}
	o, _ := f.order(sampleID)
	processed := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	checks := []struct {
		what      string
		got, want any
	}{
		{"customer", o.CustomerID, c.ID}, {"name", o.Name, "#9999"}, {"number", o.OrderNumber, int64(1234)},
		{"currency", o.Currency, "USD"}, {"financial", o.FinancialStatus, "VOIDED"},
		{"fulfillment", o.FulfillmentStatus, "UNFULFILLED"}, {"cancel reason", o.CancelReason, "CUSTOMER"},
		{"canceled at", o.CanceledAt.Equal(processed), true}, {"processed at", o.ProcessedAt.Equal(processed), true},
		{"total", o.Totals.Total, "388.00"}, {"subtotal", o.Totals.Subtotal, "388.00"},
		{"current total", o.Totals.CurrentTotal, "398.00"}, {"shipping", o.Totals.Shipping, "10.00"},
		{"refunded", o.Totals.Refunded, "0.0"}, {"lines", len(o.LineItems), 2},
		{"line title", o.LineItems[0].Title, "IPod Nano - 8GB"}, {"line variant", o.LineItems[0].VariantID, int64(808950810)},
		{"ship to", o.ShippingAddress.Address1, "123 Shipping Street"}, {"province", o.ShippingAddress.ProvinceCode, "KY"},
		{"status url", o.StatusURL, "https://jsmith.myshopify.com/548380009/orders/123456abcd/authenticate?key=abcdefg"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	res, err = f.deliver("orders/delete", "d2", sample(t, "orders_delete.json"))
	if err != nil || res != storekeep.OrderDeleted {
		t.Fatalf("orders/delete = %q, %v", res, err)
	}
	if _, found := f.order(sampleID); found {
		t.Fatal("the sample order survived orders/delete")
	}
}

func TestRefundedSumsSuccessfulRefundsToTheThousandth(t *testing.T) {
	f := newFixture(t)
	refund := func(kind, status, amount string) string {
		return `{"transactions": [{"kind": "` + kind + `", "status": "` + status + `", "amount": "` + amount + `"}]}`
	}
	body := bytes.Replace(sample(t, "orders_create.json"), []byte(`"refunds": []`), []byte(`"refunds": [`+
		refund("refund", "success", "1.005")+`, `+refund("refund", "success", "2.5")+`, `+
		refund("refund", "failure", "7.00")+`, `+refund("sale", "success", "9.00")+`]`), 1)
	if _, err := f.svc.Import(f.ctx, f.shop, body); err != nil {
		t.Fatal(err)
	}
	if o, _ := f.order(sampleID); o.Totals.Refunded != "3.505" {
		t.Fatalf("refunded %s, want 3.505", o.Totals.Refunded)
	}
	many := strings.Repeat(refund("refund", "success", "999999999999999")+", ", 9)
	body = bytes.Replace(withFields(t, map[string]string{"id": "2"}), []byte(`"refunds": []`), []byte(`"refunds": [`+
		many+refund("refund", "success", "999999999999999")+`]`), 1)
	if _, err := f.svc.Import(f.ctx, f.shop, body); !errors.Is(err, order.ErrBadPayload) {
		t.Fatalf("refunds summing to 10^16: %v, want ErrBadPayload", err)
	}
}

func TestEveryOrderTopicWritesAndUnknownTopicsAreIgnored(t *testing.T) {
	f := newFixture(t)
	for i, topic := range []string{"orders/create", "orders/updated", "orders/paid", "orders/fulfilled", "orders/cancelled"} {
		body := withFields(t, map[string]string{"updated_at": fmt.Sprintf(`"2022-01-0%dT00:00:00Z"`, i+1)})
		if res, err := f.deliver(topic, topic, body); err != nil || res != storekeep.OrderSaved {
			t.Errorf("%s = %q, %v; want saved", topic, res, err)
		}
	}
	body := withFields(t, map[string]string{"id": "5"})
	for _, topic := range []string{"products/create", "orders/edited", "", "ORDERS/CREATE"} {
		if res, err := f.deliver(topic, "x"+topic, body); err != nil || res != "" {
			t.Errorf("topic %q = %q, %v; want ignored", topic, res, err)
		}
	}
	if _, found := f.order(5); found {
		t.Fatal("an unknown topic stored its order")
	}
}

func TestBadSignatureChangesNothing(t *testing.T) {
	f := newFixture(t)
	other := f.newShop("other.example", "another secret")
	f.newShop("nosecret.example", "")
	body := sample(t, "orders_create.json")
	tampered := bytes.Replace(body, []byte(`"388.00"`), []byte(`"0.01"`), 1)
	cases := []struct {
		name        string
		domain, sig string
		body        []byte
	}{
		{"no signature", f.shop.Domain, "", body},
		{"another shop's secret", f.shop.Domain, sign("another secret", body), body},
		{"body changed after signing", f.shop.Domain, sign(secret, body), tampered},
		{"hex instead of base64", f.shop.Domain, fmt.Sprintf("%x", []byte(sign(secret, body))), body},
		{"signed by the other shop, sent as this one", f.shop.Domain, sign("another secret", body), body},
		{"this shop's signature sent as the other shop", other.Domain, sign(secret, body), body},
		{"shop without a secret", "nosecret.example", sign("", body), body},
		{"unknown shop", "unknown.example", sign(secret, body), body},
		{"malformed shop domain", "https://shop.example/", sign(secret, body), body},
		{"NUL in the signature", f.shop.Domain, sign(secret, body) + "\x00", body},
	}
	for i, c := range cases {
		_, err := f.svc.Receive(f.ctx, order.Delivery{ShopDomain: c.domain, Topic: "orders/create",
			WebhookID: fmt.Sprint("w", i), Signature: c.sig, Body: c.body, IP: fmt.Sprint("198.51.100.", i)})
		if !errors.Is(err, order.ErrBadSignature) {
			t.Errorf("%s: err = %v, want ErrBadSignature", c.name, err)
		}
	}
	for _, sh := range []storekeep.Shop{f.shop, other} {
		if _, err := f.store.OrderByID(f.ctx, sh.ID, sampleID); !errors.Is(err, storekeep.ErrNotFound) {
			t.Fatalf("a delivery with a bad signature stored an order in %s", sh.Domain)
		}
	}
	if res, err := f.deliver("orders/create", "w0", body); err != nil || res != storekeep.OrderSaved {
		t.Fatalf("a good delivery after bad ones with its id = %q, %v: a bad delivery must not use up its id", res, err)
	}
}

func TestBadDeliveriesAreThrottledPerIP(t *testing.T) {
	f := newFixture(t)
	body := sample(t, "orders_create.json")
	bad := order.Delivery{ShopDomain: f.shop.Domain, Topic: "orders/create", Signature: "forged", Body: body, IP: "203.0.113.9"}
	for i := range order.DefaultConfig().BadSignaturesPerIP.Count {
		if _, err := f.svc.Receive(f.ctx, bad); !errors.Is(err, order.ErrBadSignature) {
			t.Fatalf("bad delivery %d: %v", i, err)
		}
	}
	if err := f.svc.Admit(f.ctx, bad.IP, bad.ShopDomain); !errors.Is(err, order.ErrThrottled) {
		t.Fatalf("Admit of a throttled IP: %v, want ErrThrottled", err)
	}
	if err := f.svc.Admit(f.ctx, "203.0.113.10", bad.ShopDomain); err != nil {
		t.Fatalf("Admit of another IP: %v", err)
	}
	good := bad
	good.Signature = sign(secret, body)
	if _, err := f.svc.Receive(f.ctx, good); !errors.Is(err, order.ErrThrottled) {
		t.Fatalf("a signed delivery from a throttled IP: %v, want ErrThrottled", err)
	}
	good.IP = "203.0.113.10"
	if res, err := f.svc.Receive(f.ctx, good); err != nil || res != storekeep.OrderSaved {
		t.Fatalf("a signed delivery from another IP: %q, %v", res, err)
	}
	f.now = f.now.Add(time.Minute)
	good.IP, good.WebhookID = bad.IP, "again"
	if res, err := f.svc.Receive(f.ctx, good); err != nil || res != storekeep.OrderStale {
		t.Fatalf("a signed delivery once the allowance refilled: %q, %v", res, err)
	}
}

func TestDeliveriesAreIdempotentAndOrderedByUpdatedAt(t *testing.T) {
	f := newFixture(t)
	first := withFields(t, map[string]string{"financial_status": `"pending"`, "updated_at": `"2022-01-01T10:00:00Z"`})
	paid := withFields(t, map[string]string{"financial_status": `"paid"`, "updated_at": `"2022-01-01T11:00:00Z"`})
	steps := []struct {
		topic, id string
		body      []byte
		want      storekeep.OrderWriteResult
	}{
		{"orders/create", "a", first, storekeep.OrderSaved},
		{"orders/paid", "b", paid, storekeep.OrderSaved},
		{"orders/paid", "b", paid, storekeep.OrderDuplicate},
		{"orders/create", "c", first, storekeep.OrderStale},
		{"orders/updated", "", paid, storekeep.OrderStale},
	}
	for _, s := range steps {
		if res, err := f.deliver(s.topic, s.id, s.body); err != nil || res != s.want {
			t.Fatalf("%s %s = %q, %v; want %s", s.topic, s.id, res, err, s.want)
		}
	}
	if o, _ := f.order(sampleID); o.FinancialStatus != "PAID" {
		t.Fatalf("financial status %s after an older update came late, want PAID", o.FinancialStatus)
	}
}

func TestAWebhookIDThatCannotBeKeptIsIgnored(t *testing.T) {
	f := newFixture(t)
	for i, id := range []string{"id-\xff", "id\x00", "id\n", "id with spaces", strings.Repeat("a", 256)} {
		body := withFields(t, map[string]string{"updated_at": fmt.Sprintf(`"2022-01-01T00:00:%02dZ"`, i)})
		if res, err := f.deliver("orders/updated", id, body); err != nil || res != storekeep.OrderSaved {
			t.Errorf("webhook id %q: %q, %v; want saved", id, res, err)
		}
		if res, err := f.deliver("orders/updated", id, body); err != nil || res != storekeep.OrderStale {
			t.Errorf("webhook id %q again: %q, %v; want stale, the id being ignored", id, res, err)
		}
	}
	id := strings.Repeat("a", 255)
	body := withFields(t, map[string]string{"updated_at": `"2022-02-01T00:00:00Z"`})
	for _, want := range []storekeep.OrderWriteResult{storekeep.OrderSaved, storekeep.OrderDuplicate} {
		if res, err := f.deliver("orders/updated", id, body); err != nil || res != want {
			t.Errorf("a 255-byte webhook id: %q, %v; want %s", res, err, want)
		}
	}
}

func TestUnreadableSignedBodiesAreRefused(t *testing.T) {
	f := newFixture(t)
	cases := map[string][]byte{
		"not JSON":                  []byte("id=1"),
		"an array":                  []byte(`[{"id": 1}]`),
		"two objects":               []byte(`{"id": 1, "updated_at": "2022-01-01T00:00:00Z"} {"id": 2}`),
		"no id":                     []byte(`{"updated_at": "2022-01-01T00:00:00Z"}`),
		"negative id":               withFields(t, map[string]string{"id": "-4"}),
		"id too big":                withFields(t, map[string]string{"id": "9223372036854775808"}),
		"no time":                   withFields(t, map[string]string{"updated_at": "null", "created_at": "null", "processed_at": "null"}),
		"a bad time":                withFields(t, map[string]string{"updated_at": `"yesterday"`}),
		"processed in 2262":         withFields(t, map[string]string{"processed_at": `"2262-01-01T00:00:00Z"`}),
		"updated before 1678":       withFields(t, map[string]string{"updated_at": `"1677-12-31T23:59:59Z"`}),
		"cancelled in 9999":         withFields(t, map[string]string{"cancelled_at": `"9999-01-01T00:00:00Z"`}),
		"an amount in exponent":     withFields(t, map[string]string{"total_price": `"1e9"`}),
		"a negative amount":         withFields(t, map[string]string{"total_price": `"-5.00"`}),
		"NUL in the name":           withFields(t, map[string]string{"name": `"#99\u0000"`}),
		"invalid UTF-8 in the name": withFields(t, map[string]string{"name": "\"#99\xff\""}),
		"1001 line items": []byte(`{"id": 1, "updated_at": "2022-01-01T00:00:00Z", "line_items": [{}` +
			strings.Repeat(",{}", order.MaxLineItems) + `]}`),
		"251 discounts": []byte(`{"id": 1, "updated_at": "2022-01-01T00:00:00Z", "discount_applications": [{}` +
			strings.Repeat(",{}", order.MaxDiscounts) + `]}`),
		"NUL in a discount's allocation_method": withDiscount(t, `"allocation_method": "across\u0000"`),
		"NUL in a discount's target_selection":  withDiscount(t, `"target_selection": "all\u0000"`),
		"DEL in a discount's target_type":       withDiscount(t, `"target_type": "line_item\u007f"`),
		"a discount value NaN":                  withDiscount(t, `"value": "NaN"`),
		"a discount value Inf":                  withDiscount(t, `"value": "Inf"`),
		"a discount value in exponent":          withDiscount(t, `"value": "1e999"`),
		"a negative discount value":             withDiscount(t, `"value": "-10.0"`),
		"a negative quantity":                   withFields(t, map[string]string{"quantity": "-3"}),
		"a negative current quantity":           withFields(t, map[string]string{"current_quantity": "-1"}),
		"a quantity over 2147483647":            withFields(t, map[string]string{"quantity": "2147483648"}),
		"price × quantity of 10^15":             withFields(t, map[string]string{"price": `"10000000000"`, "quantity": "100000"}),
		"allocations of a line summing to 10^15": bytes.Replace(withDiscount(t, `"code": "TEN"`), []byte(`"discount_allocations": []`),
			[]byte(`"discount_allocations": [{"amount": "999999999999999.999", "discount_application_index": 0},`+
				`{"amount": "0.001", "discount_application_index": 0}]`), 1),
		"NEL (a C1 control) in the name": withFields(t, map[string]string{"name": `"#99\u0085"`}),
		"CSI (a C1 control) in the name": withFields(t, map[string]string{"name": `"#99\u009b31m"`}),
		"a discount allocated twice to one line": bytes.Replace(withDiscount(t, `"code": "TEN"`), []byte(`"discount_allocations": []`),
			[]byte(`"discount_allocations": [{"amount": "0.01", "discount_application_index": 0}, {"amount": "0.01", "discount_application_index": 0}]`), 1),
		"251 allocations on one line": bytes.Replace(withDiscount(t, `"code": "TEN"`), []byte(`"discount_allocations": []`),
			[]byte(`"discount_allocations": [`+strings.TrimSuffix(strings.Repeat(`{"amount": "0.01", "discount_application_index": 0},`, order.MaxDiscounts+1), ",")+`]`), 1),
		"a discount index past the list": bytes.Replace(sample(t, "orders_create.json"),
			[]byte(`"discount_allocations": []`), []byte(`"discount_allocations": [{"amount": "1.00", "discount_application_index": 3}]`), 1),
	}
	for name, body := range cases {
		if _, err := f.deliver("orders/create", name, body); !errors.Is(err, order.ErrBadPayload) {
			t.Errorf("%s: err = %v, want ErrBadPayload", name, err)
		}
	}
	if _, err := f.deliver("orders/delete", "del", []byte(`{"id": "1"}`)); !errors.Is(err, order.ErrBadPayload) {
		t.Errorf("orders/delete with a string id: %v", err)
	}
	if _, found := f.order(sampleID); found {
		t.Fatal("a refused body stored its order")
	}
}

func TestImportIsIdempotent(t *testing.T) {
	f := newFixture(t)
	line := sample(t, "orders_create.json")
	for i, want := range []storekeep.OrderWriteResult{storekeep.OrderSaved, storekeep.OrderStale} {
		if res, err := f.svc.Import(f.ctx, f.shop, line); err != nil || res != want {
			t.Fatalf("import %d = %q, %v; want %s", i, res, err, want)
		}
	}
	if _, err := f.svc.Import(f.ctx, f.shop, []byte(`{"id": 0}`)); err == nil {
		t.Fatal("an order without id was imported")
	}
}

func TestOnlyTheOrdersKeyOpensIt(t *testing.T) {
	f := newFixture(t)
	other := f.newShop("other.example", "")
	for _, id := range []string{"1", "2"} {
		if _, err := f.svc.Import(f.ctx, f.shop, withFields(t, map[string]string{"id": id})); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Import(f.ctx, other, withFields(t, map[string]string{"id": "1"})); err != nil {
		t.Fatal(err)
	}
	one, _ := f.order(1)
	gid := f.svc.GID(one)
	got, found, err := f.svc.ByGID(f.ctx, f.shop, gid)
	if err != nil || !found || got.ID != 1 {
		t.Fatalf("ByGID(its own gid %s) = %d, %v, %v", gid, got.ID, found, err)
	}
	key := strings.SplitN(gid, "?key=", 2)[1]
	two, _ := f.order(2)
	for name, id := range map[string]string{
		"no key":                       "gid://shopify/Order/1",
		"empty key":                    "gid://shopify/Order/1?key=",
		"wrong key":                    "gid://shopify/Order/1?key=" + strings.Repeat("0", 32),
		"key in upper case":            "gid://shopify/Order/1?key=" + strings.ToUpper(key),
		"key of order 1 on order 2":    "gid://shopify/Order/2?key=" + key,
		"Shopify's own order key":      "gid://shopify/Order/1?key=abcdefg",
		"a customer gid":               "gid://shopify/Customer/1?key=" + key,
		"leading zero":                 "gid://shopify/Order/01?key=" + key,
		"extra parameter":              gid + "&x=1",
		"key truncated":                gid[:len(gid)-1],
		"order 2's key with order 1's": "gid://shopify/Order/1?key=" + strings.SplitN(f.svc.GID(two), "?key=", 2)[1],
	} {
		if _, found, err := f.svc.ByGID(f.ctx, f.shop, id); found || err != nil {
			t.Errorf("%s (%s): found %v, %v", name, id, found, err)
		}
	}
	if o, found, _ := f.svc.ByGID(f.ctx, other, gid); found {
		t.Errorf("shop 1's order gid opened the other shop's order %d", o.ID)
	}
}

func TestCustomerOrdersPageWithShopifysLimits(t *testing.T) {
	f := newFixture(t)
	c, err := f.store.CreateCustomer(f.ctx, storekeep.Customer{ShopID: f.shop.ID, Email: "jon@example.com",
		EmailKey: "jon@example.com", State: storekeep.CustomerEnabled,
		EmailVerifiedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		body := withFields(t, map[string]string{"id": fmt.Sprint(i), "processed_at": fmt.Sprintf(`"2022-01-0%dT00:00:00Z"`, 6-i)})
		if _, err := f.svc.Import(f.ctx, f.shop, body); err != nil {
			t.Fatal(err)
		}
	}
	n := func(v int) *int { return &v }
	s := func(v string) *string { return &v }
	ids := func(p order.Page) string {
		var out []string
		for _, o := range p.Orders {
			out = append(out, fmt.Sprint(o.ID))
		}
		return strings.Join(out, ",") + fmt.Sprintf(" next=%v prev=%v", p.HasNextPage, p.HasPreviousPage)
	}
	p, err := f.svc.CustomerOrders(f.ctx, c, order.PageArgs{Page: storekeep.Page{First: n(2), Reverse: true}, SortKey: "PROCESSED_AT"})
	if err != nil || ids(p) != "1,2 next=true prev=false" {
		t.Fatalf("first 2 newest: %s, %v", ids(p), err)
	}
	p, err = f.svc.CustomerOrders(f.ctx, c, order.PageArgs{Page: storekeep.Page{First: n(2), After: &p.Cursors[1], Reverse: true}, SortKey: "PROCESSED_AT"})
	if err != nil || ids(p) != "3,4 next=true prev=true" {
		t.Fatalf("next 2: %s, %v", ids(p), err)
	}
	p, err = f.svc.CustomerOrders(f.ctx, c, order.PageArgs{Page: storekeep.Page{Last: n(5), Before: &p.Cursors[0], Reverse: true}, SortKey: "PROCESSED_AT"})
	if err != nil || ids(p) != "1,2 next=true prev=false" {
		t.Fatalf("last 5 before 3: %s, %v", ids(p), err)
	}
	p, err = f.svc.CustomerOrders(f.ctx, c, order.PageArgs{Page: storekeep.Page{First: n(250)}, Query: "processed_at:>=2022-01-02 processed_at:<2022-01-04"})
	if err != nil || ids(p) != "3,4 next=false prev=false" {
		t.Fatalf("processed from the 2nd to the 4th: %s, %v", ids(p), err)
	}
	cursor := p.Cursors[0]
	pg := func(p storekeep.Page) order.PageArgs { return order.PageArgs{Page: p} }
	for name, a := range map[string]order.PageArgs{
		"neither first nor last":       {},
		"both first and last":          pg(storekeep.Page{First: n(1), Last: n(1)}),
		"first with before":            pg(storekeep.Page{First: n(1), Before: &cursor}),
		"first over 250":               pg(storekeep.Page{First: n(251)}),
		"negative last":                pg(storekeep.Page{Last: n(-1)}),
		"cursor not base64":            pg(storekeep.Page{First: n(1), After: s("%%%")}),
		"cursor of another sort key":   {Page: storekeep.Page{First: n(1), After: &cursor}, SortKey: "TOTAL_PRICE"},
		"cursor made up":               pg(storekeep.Page{First: n(1), After: s(base64.RawURLEncoding.EncodeToString([]byte("ID\x00x\x001")))}),
		"cursor after the kept years":  {Page: storekeep.Page{First: n(1), After: s(base64.RawURLEncoding.EncodeToString([]byte("PROCESSED_AT\x003000-01-01T00:00:00Z\x001")))}, SortKey: "PROCESSED_AT"},
		"cursor before the kept years": {Page: storekeep.Page{First: n(1), After: s(base64.RawURLEncoding.EncodeToString([]byte("PROCESSED_AT\x001000-01-01T00:00:00Z\x001")))}, SortKey: "PROCESSED_AT"},
		"unknown sort key":             {Page: storekeep.Page{First: n(1)}, SortKey: "EMAIL"},
		"query over 1000 bytes":        {Page: storekeep.Page{First: n(1)}, Query: strings.Repeat("a", 1001)},
		"processed_at not a date":      {Page: storekeep.Page{First: n(1)}, Query: "processed_at:>soon"},
	} {
		_, err := f.svc.CustomerOrders(f.ctx, c, a)
		if storekeep.ErrorCode(err) != storekeep.CodeBadRequest {
			t.Errorf("%s: err = %v, want BAD_REQUEST", name, err)
		}
	}
	for _, w := range []struct {
		page  storekeep.Page
		field string
	}{{storekeep.Page{First: n(251)}, "first"}, {storekeep.Page{Last: n(-1)}, "last"}} {
		_, err := f.svc.CustomerOrders(f.ctx, c, pg(w.page))
		_, perr := storekeep.Paginate([]int64{}, func(v int64) int64 { return v }, w.page)
		if err == nil || perr == nil || err.Error() != perr.Error() || !strings.Contains(err.Error(), " on "+w.field+": ") {
			t.Errorf("%s out of range: orders say %v, other connections %v", w.field, err, perr)
		}
	}
	count, err := f.svc.CountOrders(f.ctx, c)
	if err != nil || count != 5 {
		t.Fatalf("CountOrders = %d, %v", count, err)
	}
}

func TestProcessedAtFilterOutsideTheKeptYearsSelectsAllOrNone(t *testing.T) {
	f := newFixture(t)
	c, err := f.store.CreateCustomer(f.ctx, storekeep.Customer{ShopID: f.shop.ID, Email: "jon@example.com",
		EmailKey: "jon@example.com", State: storekeep.CustomerEnabled, EmailVerifiedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	for i, at := range []string{"1678-01-01T00:00:00Z", "2022-01-01T00:00:00Z", "2261-12-31T23:59:59.999999Z"} {
		if _, err := f.svc.Import(f.ctx, f.shop, withFields(t, map[string]string{"id": fmt.Sprint(i + 1), "processed_at": `"` + at + `"`})); err != nil {
			t.Fatalf("an order processed at %s: %v", at, err)
		}
	}
	first := 10
	for q, want := range map[string]int{
		"processed_at:<3000-01-01": 3, "processed_at:<=9999-12-31": 3, "processed_at:>=0001-01-01": 3,
		"processed_at:>1000-01-01T00:00:00Z": 3, "processed_at:>3000-01-01": 0, "processed_at:<1000-01-01": 0,
		"processed_at:0001-01-01": 0, "processed_at:9999-12-31": 0,
	} {
		p, err := f.svc.CustomerOrders(f.ctx, c, order.PageArgs{Page: storekeep.Page{First: &first}, Query: q})
		if err != nil || len(p.Orders) != want {
			t.Errorf("%s: %d orders, %v; want %d", q, len(p.Orders), err, want)
		}
	}
}

func TestConfigValidateRefusesAnEmptyAllowance(t *testing.T) {
	if err := order.DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, l := range []storekeep.Limit{{}, {Count: 1}, {Count: 0, Per: time.Minute}, {Count: -1, Per: time.Minute}} {
		if err := (order.Config{BadSignaturesPerIP: l}).Validate(); err == nil {
			t.Errorf("%+v accepted", l)
		}
	}
}

func TestOrderLinksFollowTheShopsLinkBase(t *testing.T) {
	f := newFixture(t)
	dev := order.New(order.Deps{Store: f.store, Limiter: ratelimit.NewMemory(f.clock, 0, nil), Keys: f.keys, Now: f.clock},
		order.Config{DefaultStorefrontURL: "http://127.0.0.1:8080/"})
	o := storekeep.Order{ID: 7, ShopID: f.shop.ID}
	key := f.svc.Key(o)
	withOwn := f.shop
	withOwn.StorefrontURL = "https://store.example/"
	for _, c := range []struct {
		name string
		svc  *order.Service
		shop storekeep.Shop
		want string
	}{
		{"no default, no storefront", f.svc, f.shop, "https://shop.example"},
		{"dev default, no storefront", dev, f.shop, "http://127.0.0.1:8080"},
		{"dev default, the shop's storefront", dev, withOwn, "https://store.example"},
	} {
		want := c.want + "/account/orders/7?key=" + key
		if got := c.svc.CustomerURL(c.shop, o); got != want {
			t.Errorf("%s: CustomerURL = %s, want %s", c.name, got, want)
		}
		if got := c.svc.StatusURL(c.shop, o); got != want {
			t.Errorf("%s: StatusURL = %s, want %s", c.name, got, want)
		}
	}
}

// An order may come with updated_at alone; its processing time is then
// none (the zero time), which sorts first by PROCESSED_AT. The cursor of a
// page that ends on it is storekeep's own and leads to the next page.
func TestAProcessedAtCursorOfAnOrderWithoutAProcessingTimeLeadsOn(t *testing.T) {
	f := newFixture(t)
	c, err := f.store.CreateCustomer(f.ctx, storekeep.Customer{ShopID: f.shop.ID, Email: "jon@example.com",
		EmailKey: "jon@example.com", State: storekeep.CustomerEnabled, EmailVerifiedAt: f.now})
	if err != nil {
		t.Fatal(err)
	}
	for _, fields := range []map[string]string{{"id": "1"}, {"id": "2", "created_at": "null", "processed_at": "null"}} {
		if _, err := f.svc.Import(f.ctx, f.shop, withFields(t, fields)); err != nil {
			t.Fatalf("order %s: %v", fields["id"], err)
		}
	}
	one := 1
	p, err := f.svc.CustomerOrders(f.ctx, c, order.PageArgs{Page: storekeep.Page{First: &one}, SortKey: "PROCESSED_AT"})
	if err != nil || len(p.Orders) != 1 || p.Orders[0].ID != 2 || !p.HasNextPage {
		t.Fatalf("first page: %+v %v, want order 2 (no processing time) and more", p.Orders, err)
	}
	next, err := f.svc.CustomerOrders(f.ctx, c, order.PageArgs{Page: storekeep.Page{First: &one, After: &p.Cursors[0]}, SortKey: "PROCESSED_AT"})
	if err != nil || len(next.Orders) != 1 || next.Orders[0].ID != 1 {
		t.Fatalf("the page after storekeep's own cursor: %+v %v, want order 1", next.Orders, err)
	}
}
