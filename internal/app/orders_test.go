package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/server"
	"github.com/storekeep/storekeep/order"
)

// importOrder imports the sample order with its id, email and processing
// date replaced.
func (n *node) importOrder(id int64, email, processedAt string, extra ...string) {
	n.t.Helper()
	body := strings.Replace(string(sampleOrderPayload(n.t)), `"id": 820982911946154508`, fmt.Sprintf(`"id": %d`, id), 1)
	body = strings.ReplaceAll(body, `"jon@example.com"`, `"`+email+`"`)
	body = strings.Replace(body, `"processed_at": "2021-12-31T19:00:00-05:00"`, `"processed_at": "`+processedAt+`"`, 1)
	for i := 0; i+1 < len(extra); i += 2 {
		body = strings.Replace(body, extra[i], extra[i+1], 1)
	}
	if _, err := n.app.Orders.Import(context.Background(), n.shop, []byte(body)); err != nil {
		n.t.Fatal(err)
	}
}

const customerOrdersQuery = `query($token: String!, $first: Int, $after: String) {
	customer(customerAccessToken: $token) {
		numberOfOrders
		orders(sortKey: PROCESSED_AT, reverse: true, first: $first, after: $after) {
			nodes { id name orderNumber processedAt financialStatus fulfillmentStatus statusUrl customerUrl
				currentTotalPrice { amount currencyCode } lineItems(first: 10) { nodes { title variant { image { url } } } } }
			pageInfo { hasPreviousPage hasNextPage endCursor startCursor }
			totalCount
		}
	}
}`

type ordersJSON struct {
	NumberOfOrders string `json:"numberOfOrders"`
	Orders         struct {
		Nodes []struct {
			ID                string `json:"id"`
			Name              string `json:"name"`
			OrderNumber       int    `json:"orderNumber"`
			FinancialStatus   string `json:"financialStatus"`
			FulfillmentStatus string `json:"fulfillmentStatus"`
			StatusURL         string `json:"statusUrl"`
			CustomerURL       string `json:"customerUrl"`
			CurrentTotalPrice struct {
				Amount       string `json:"amount"`
				CurrencyCode string `json:"currencyCode"`
			} `json:"currentTotalPrice"`
		} `json:"nodes"`
		PageInfo struct {
			HasPreviousPage bool   `json:"hasPreviousPage"`
			HasNextPage     bool   `json:"hasNextPage"`
			EndCursor       string `json:"endCursor"`
		} `json:"pageInfo"`
		TotalCount string `json:"totalCount"`
	} `json:"orders"`
}

const orderNodeQuery = `query($id: ID!) {
	order: node(id: $id) {
		... on Order {
			id name totalPriceV2 { amount currencyCode } subtotalPriceV2 { amount } totalTaxV2 { amount }
			shippingAddress { id address1 city provinceCode countryCodeV2 formatted }
			discountApplications(first: 100) { nodes { value { __typename ... on PricingPercentageValue { percentage } } } }
			lineItems(first: 100) { nodes { title quantity originalTotalPrice { amount } discountedTotalPrice { amount }
				discountAllocations { allocatedAmount { amount } discountApplication { ... on DiscountCodeApplication { code } } }
				variant { id sku title price { amount } product { handle } image { url } } } }
		}
	}
}`

func TestCustomerSeesTheirOrdersFromWebhooksAndImports(t *testing.T) {
	n := startNode(t)
	n.deliverSampleOrder()
	n.importOrder(2, "JON@example.com", "2024-03-01T10:00:00Z",
		`"discount_applications": []`, `"discount_applications": [{"target_type": "line_item", "type": "discount_code", "value": "10.0", "value_type": "percentage", "allocation_method": "across", "target_selection": "all", "code": "TEN"}]`,
		`"discount_allocations": []`, `"discount_allocations": [{"amount": "19.90", "discount_application_index": 0}]`)
	n.importOrder(3, "jon@example.com", "2023-06-01T10:00:00Z")
	n.importOrder(4, "someone.else@example.com", "2025-01-01T10:00:00Z")

	token := n.provenJon()
	var c ordersJSON
	n.post(customerOrdersQuery, map[string]any{"token": token, "first": 2}).field(t, "customer", &c)
	if c.NumberOfOrders != "3" || c.Orders.TotalCount != "3" || len(c.Orders.Nodes) != 2 || !c.Orders.PageInfo.HasNextPage || c.Orders.PageInfo.HasPreviousPage {
		t.Fatalf("first page: %+v", c)
	}
	newest := c.Orders.Nodes[0]
	if !strings.HasPrefix(newest.ID, "gid://shopify/Order/2?key=") || c.Orders.Nodes[1].ID[:22] != "gid://shopify/Order/3?" {
		t.Fatalf("orders newest first: %s, %s", newest.ID, c.Orders.Nodes[1].ID)
	}
	if newest.Name != "#9999" || newest.OrderNumber != 1234 || newest.FinancialStatus != "VOIDED" || newest.FulfillmentStatus != "UNFULFILLED" ||
		newest.CurrentTotalPrice.Amount != "398.0" || newest.CurrentTotalPrice.CurrencyCode != "USD" ||
		newest.StatusURL != "https://jsmith.myshopify.com/548380009/orders/123456abcd/authenticate?key=abcdefg" ||
		newest.CustomerURL != "https://shop.example/account/orders/2?key="+strings.SplitN(newest.ID, "?key=", 2)[1] {
		t.Fatalf("order fields: %+v", newest)
	}
	var rest ordersJSON
	n.post(customerOrdersQuery, map[string]any{"token": token, "first": 2, "after": c.Orders.PageInfo.EndCursor}).field(t, "customer", &rest)
	if len(rest.Orders.Nodes) != 1 || !strings.HasPrefix(rest.Orders.Nodes[0].ID, "gid://shopify/Order/820982911946154508?key=") ||
		rest.Orders.PageInfo.HasNextPage || !rest.Orders.PageInfo.HasPreviousPage {
		t.Fatalf("second page: %+v", rest)
	}

	r := n.post(orderNodeQuery, map[string]any{"id": newest.ID})
	want := `{"order":{"id":"` + newest.ID + `","name":"#9999","totalPriceV2":{"amount":"388.0","currencyCode":"USD"},` +
		`"subtotalPriceV2":{"amount":"388.0"},"totalTaxV2":{"amount":"0.0"},` +
		`"shippingAddress":{"id":"gid://shopify/MailingAddress/2?model_name=Address","address1":"123 Shipping Street","city":"Shippington","provinceCode":"KY","countryCodeV2":"US","formatted":["Shipping Company","123 Shipping Street","Shippington KY 40003","United States"]},` +
		`"discountApplications":{"nodes":[{"value":{"__typename":"PricingPercentageValue","percentage":10}}]},` +
		`"lineItems":{"nodes":[` +
		`{"title":"IPod Nano - 8GB","quantity":1,"originalTotalPrice":{"amount":"199.0"},"discountedTotalPrice":{"amount":"179.1"},"discountAllocations":[{"allocatedAmount":{"amount":"19.9"},"discountApplication":{"code":"TEN"}}],"variant":{"id":"gid://shopify/ProductVariant/808950810","sku":"IPOD2008PINK","title":"Default Title","price":{"amount":"199.0"},"product":{"handle":""},"image":null}},` +
		`{"title":"IPod Nano - 8GB","quantity":1,"originalTotalPrice":{"amount":"199.0"},"discountedTotalPrice":{"amount":"199.0"},"discountAllocations":[],"variant":{"id":"gid://shopify/ProductVariant/808950810","sku":"IPOD2008PINK","title":"Default Title","price":{"amount":"199.0"},"product":{"handle":""},"image":null}}]}}}`
	got, _ := json.Marshal(r.Data)
	if r.Errors != nil || string(got) != want {
		t.Fatalf("node:\n got %s %s\nwant %s", got, r.Raw, want)
	}
}

func TestNodeAnswersOnlyAnOrderItsKeyOpens(t *testing.T) {
	n := startNode(t)
	n.importOrder(10, "mine@example.com", "2024-01-01T00:00:00Z")
	n.importOrder(11, "theirs@example.com", "2024-01-01T00:00:00Z")
	n.signUp("mine@example.com", "a-long-password-1")
	token := n.proveMailbox("mine@example.com", "a-long-password-2", 1)
	var c ordersJSON
	n.post(customerOrdersQuery, map[string]any{"token": token, "first": 10}).field(t, "customer", &c)
	if len(c.Orders.Nodes) != 1 {
		t.Fatalf("orders of mine@: %+v", c)
	}
	mine := c.Orders.Nodes[0].ID
	myKey := strings.SplitN(mine, "?key=", 2)[1]
	for name, id := range map[string]string{
		"another customer's order, no key":     "gid://shopify/Order/11",
		"another customer's order with my key": "gid://shopify/Order/11?key=" + myKey,
		"my order, no key":                     "gid://shopify/Order/10",
		"my order, a wrong key":                "gid://shopify/Order/10?key=" + strings.Repeat("f", len(myKey)),
		"my order, key in another parameter":   "gid://shopify/Order/10?token=" + myKey,
		"my order, key given twice":            mine + "&key=" + myKey,
		"my customer id":                       "gid://shopify/Customer/1",
		"an address id":                        "gid://shopify/MailingAddress/10?model_name=Address",
		"not a gid":                            "10",
		"NUL after the key":                    mine + "\x00",
		"an order id with a huge number":       "gid://shopify/Order/99999999999999999999?key=" + myKey,
	} {
		r := n.post(`query($id: ID!) { node(id: $id) { id ... on Order { name } } }`, map[string]any{"id": id})
		if r.Errors != nil || string(r.Data["node"]) != "null" {
			t.Errorf("%s: %s", name, r.Raw)
		}
	}
	r := n.post(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": mine})
	if string(r.Data["node"]) != `{"id":"`+mine+`"}` {
		t.Fatalf("my order by its own id: %s", r.Raw)
	}
	writeOnly := n.apiToken(storekeep.APITokenPublic, storekeep.ScopeWriteCustomers)
	r = n.post(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": mine}, withHeaders(map[string]string{"X-Shopify-Storefront-Access-Token": writeOnly}))
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "ACCESS_DENIED" {
		t.Fatalf("node without the read scope: %s", r.Raw)
	}
}

const filteredOrdersQuery = `query($token: String!, $q: String) {
	customer(customerAccessToken: $token) { orders(first: 10, query: $q) { nodes { id } } }
}`

// filteredOrderIDs lists the ids of the customer's orders that match q.
func (n *node) filteredOrderIDs(token, q string) string {
	n.t.Helper()
	var c ordersJSON
	n.post(filteredOrdersQuery, map[string]any{"token": token, "q": q}).field(n.t, "customer", &c)
	return orderIDs(c)
}

func TestProcessedAtFilterCountsAnOrderAtTheExactTimeOnce(t *testing.T) {
	n := startNode(t)
	n.importOrder(1, "jon@example.com", "2024-03-01T10:00:00Z")
	n.importOrder(2, "jon@example.com", "2024-03-01T09:00:00Z")
	n.importOrder(3, "jon@example.com", "2024-03-01T11:00:00Z")
	token := n.provenJon()
	for q, want := range map[string]string{
		"processed_at:<=2024-03-01T10:00:00Z": "1,2",
		"processed_at:<2024-03-01T10:00:00Z":  "2",
		"processed_at:2024-03-01T10:00:00Z":   "1",
		"processed_at:>=2024-03-01T10:00:00Z": "1,3",
		"processed_at:>2024-03-01T10:00:00Z":  "3",
	} {
		if got := n.filteredOrderIDs(token, q); got != want {
			t.Errorf("query %q: orders %q, want %q", q, got, want)
		}
	}
}

const lineTotalsQuery = `query($token: String!) {
	customer(customerAccessToken: $token) {
		orders(first: 10) { nodes { totalRefundedV2 { amount } lineItems(first: 5) { nodes { quantity originalTotalPrice { amount } } } } }
	}
}`

type lineTotalsJSON struct {
	Orders struct {
		Nodes []struct {
			TotalRefunded struct {
				Amount string `json:"amount"`
			} `json:"totalRefundedV2"`
			LineItems struct {
				Nodes []struct {
					Quantity           int64 `json:"quantity"`
					OriginalTotalPrice struct {
						Amount string `json:"amount"`
					} `json:"originalTotalPrice"`
				} `json:"nodes"`
			} `json:"lineItems"`
		} `json:"nodes"`
	} `json:"orders"`
}

// lineTotals reads the customer's orders' refunds and line totals.
func (n *node) lineTotals(token string) lineTotalsJSON {
	n.t.Helper()
	var c lineTotalsJSON
	n.post(lineTotalsQuery, map[string]any{"token": token}).field(n.t, "customer", &c)
	return c
}

func TestLineTotalsAreRefusedBeforeTheyCanWrapOrGoNegative(t *testing.T) {
	n := startNode(t)
	for name, change := range map[string][]string{
		"1,000,000 × 10000000000000.00": {`"price": "199.00"`, `"price": "10000000000000.00"`, `"quantity": 1`, `"quantity": 1000000`},
		"a quantity of -3":              {`"quantity": 1`, `"quantity": -3`},
	} {
		body := strings.Replace(string(sampleOrderPayload(t)), change[0], change[1], 1)
		if len(change) > 2 {
			body = strings.Replace(body, change[2], change[3], 1)
		}
		if _, err := n.app.Orders.Import(context.Background(), n.shop, []byte(body)); !errors.Is(err, order.ErrBadPayload) {
			t.Errorf("%s: import %v, want ErrBadPayload", name, err)
		}
	}
	n.importOrder(1, "jon@example.com", "2024-03-01T10:00:00Z",
		`"price": "199.00"`, `"price": "9999999999.999"`, `"quantity": 1`, `"quantity": 100000`)
	token := n.provenJon()
	c := n.lineTotals(token)
	if len(c.Orders.Nodes) != 1 {
		t.Fatalf("orders: %+v", c)
	}
	if li := c.Orders.Nodes[0].LineItems.Nodes[0]; li.Quantity != 100000 || li.OriginalTotalPrice.Amount != "999999999999900.0" {
		t.Errorf("100,000 × 9999999999.999: quantity %d, originalTotalPrice %s, want 999999999999900.0", li.Quantity, li.OriginalTotalPrice.Amount)
	}
}

func TestTotalRefundedKeepsTheThirdDecimal(t *testing.T) {
	n := startNode(t)
	n.importOrder(1, "jon@example.com", "2024-03-01T10:00:00Z",
		`"currency": "USD"`, `"currency": "KWD"`,
		`"refunds": []`, `"refunds": [{"transactions": [{"kind": "refund", "status": "success", "amount": "1.005"}]}]`)
	token := n.provenJon()
	if got := n.lineTotals(token).Orders.Nodes[0].TotalRefunded.Amount; got != "1.005" {
		t.Errorf("totalRefunded of a refund of 1.005: %s, want 1.005", got)
	}
}

func TestProcessedAtBeforeAFarDateSelectsEveryOrder(t *testing.T) {
	n := startNode(t)
	n.importOrder(1, "jon@example.com", "2024-03-01T10:00:00Z")
	token := n.provenJon()
	for q, want := range map[string]string{"processed_at:<3000-01-01": "1", "processed_at:>1000-01-01": "1", "processed_at:>3000-01-01": ""} {
		if got := n.filteredOrderIDs(token, q); got != want {
			t.Errorf("%s: orders %q, want %q", q, got, want)
		}
	}
}

// TestAnOrdersQueryWithAControlCharacterIsABadRequest sends status filters
// and other terms holding NUL and other control characters, which no
// stored status holds and PostgreSQL cannot take as text. Each fails the
// field as a bad request on SQLite and PostgreSQL alike, not as an
// internal error; a tab or line break still separates terms.
func TestAnOrdersQueryWithAControlCharacterIsABadRequest(t *testing.T) {
	n := startNode(t)
	n.importOrder(1, "jon@example.com", "2024-03-01T10:00:00Z")
	token := n.provenJon()
	for name, q := range map[string]string{
		"NUL in financial_status":    "financial_status:\x00",
		"NUL in fulfillment_status":  "fulfillment_status:un\x00fulfilled",
		"NUL in an unknown term":     "name:#1001\x00",
		"NUL alone":                  "\x00",
		"escape in financial_status": "financial_status:\x1bpaid",
		"DEL in processed_at":        "processed_at:2024-03-01\x7f",
		"C1 control":                 "financial_status:\u0090voided",
	} {
		r := n.post(filteredOrdersQuery, map[string]any{"token": token, "q": q})
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_REQUEST" || !strings.Contains(r.Errors[0].Message, "control character") {
			t.Errorf("%s: %s", name, r.Raw)
		}
	}
	if got := n.filteredOrderIDs(token, "financial_status:voided\tfulfillment_status:unfulfilled\nprocessed_at:2024-03-01"); got != "1" {
		t.Errorf("terms separated by a tab and a line break: orders %q, want 1", got)
	}
}

// Shopify's search syntax writes a date value as a quoted string, its
// comparator outside the quotes (processed_at:>'2024-03-01'), as
// storefronts then send it.
func TestProcessedAtTakesAQuotedValueAfterItsComparator(t *testing.T) {
	n := startNode(t)
	n.importOrder(1, "jon@example.com", "2024-03-01T10:00:00Z")
	n.importOrder(2, "jon@example.com", "2024-02-01T10:00:00Z")
	token := n.provenJon()
	for q, want := range map[string]string{
		"processed_at:>'2024-02-15'":                            "1",
		`processed_at:<="2024-02-01T10:00:00Z"`:                 "2",
		"processed_at:>='2024-03-01T10:00:00Z'":                 "1",
		"processed_at:'2024-02-01'":                             "2",
		`processed_at:>"2024-01-01" processed_at:<'2024-02-15'`: "2",
	} {
		r := n.post(filteredOrdersQuery, map[string]any{"token": token, "q": q})
		var c ordersJSON
		if len(r.Errors) > 0 {
			t.Errorf("%s: %s", q, r.Raw)
			continue
		}
		r.field(t, "customer", &c)
		if got := orderIDs(c); got != want {
			t.Errorf("%s: orders %q, want %q", q, got, want)
		}
	}
}

// The filters storekeep reads combine with AND alone. A query that negates
// one (NOT, -), joins one with OR or groups it in parentheses fails the
// field rather than answer with other orders than it asks for (NOT
// financial_status:paid answered exactly the paid ones); those words
// around terms storekeep ignores change nothing.
func TestAnOrdersQueryThatNegatesOrAlternatesAFilterIsABadRequest(t *testing.T) {
	n := startNode(t)
	n.importOrder(1, "jon@example.com", "2024-03-01T10:00:00Z")
	n.importOrder(2, "jon@example.com", "2024-02-01T10:00:00Z", `"financial_status": "voided"`, `"financial_status": "paid"`)
	token := n.provenJon()
	for _, q := range []string{
		"NOT financial_status:paid",
		"-financial_status:paid",
		"financial_status:paid OR financial_status:voided",
		"processed_at:<2024-02-15 OR processed_at:>2024-02-20",
		"(financial_status:paid)",
		"fulfillment_status:unfulfilled AND (financial_status:paid OR name:#1001)",
		"NOT -processed_at:>'2024-02-15'",
		"NOT ( financial_status:paid )",
	} {
		r := n.post(filteredOrdersQuery, map[string]any{"token": token, "q": q})
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_REQUEST" {
			t.Errorf("%s: %s", q, r.Raw)
		}
	}
	for q, want := range map[string]string{
		"financial_status:paid AND fulfillment_status:unfulfilled": "2",
		"financial_status:voided processed_at:>2024-01-01":         "1",
		"name:#1001 OR name:#1002":                                 "1,2",
		"NOT name:#1001 -tag:gift (email:x)":                       "1,2",
		"jon OR smith":                                             "1,2",
	} {
		if got := n.filteredOrderIDs(token, q); got != want {
			t.Errorf("%s: orders %q, want %q", q, got, want)
		}
	}
}

// One node serves many shops: a customer's access token, an order id with
// its key, and an address id of one shop open nothing in another, whose
// answers are those of an unknown token or id; nor does anything tried
// there end the session in its own shop.
func TestACustomersTokenAndIDsOpenNothingInAnotherShop(t *testing.T) {
	n := startNode(t)
	ctx := context.Background()
	other, err := n.app.Store.CreateShop(ctx, storekeep.Shop{Domain: "other.example", Name: "Other", Enumeration: storekeep.EnumerationPrivate}, storekeep.ShopSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	value, err := n.app.Keys.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.app.Store.CreateAPIToken(ctx, storekeep.APIToken{ShopID: other.ID, Kind: storekeep.APITokenPublic,
		Scopes: storekeep.KnownScopes, Hash: n.app.Keys.Hash(value), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	elsewhere := withHeaders(map[string]string{server.PublicTokenHeader: value})
	n.importOrder(10, "mine@example.com", "2024-01-01T00:00:00Z")
	n.signUp("mine@example.com", "a-long-password-1")
	token := n.proveMailbox("mine@example.com", "a-long-password-2", 1)
	address := n.createAddress(token, map[string]any{"city": "Ottawa", "country": "CA", "province": "ON"})
	var c ordersJSON
	n.post(customerOrdersQuery, map[string]any{"token": token, "first": 10}).field(t, "customer", &c)
	if len(c.Orders.Nodes) != 1 {
		t.Fatalf("orders: %+v", c)
	}
	order := c.Orders.Nodes[0].ID

	if r := n.post(customerQuery, map[string]any{"token": token}, elsewhere); r.Errors != nil || string(r.Data["customer"]) != "null" {
		t.Errorf("customer in another shop: %s", r.Raw)
	}
	if r := n.post(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": order}, elsewhere); r.Errors != nil || string(r.Data["node"]) != "null" {
		t.Errorf("node of the order in another shop: %s", r.Raw)
	}
	missing := []plainError{{Field: []string{"customerAccessToken"}, Message: "access token does not exist"}}
	for _, name := range []string{"customerAccessTokenRenew", "customerAccessTokenDelete"} {
		var p struct{ UserErrors []plainError }
		n.post(`mutation($t: String!) { `+name+`(customerAccessToken: $t) { userErrors { field message } } }`,
			map[string]any{"t": token}, elsewhere).field(t, name, &p)
		if !reflect.DeepEqual(p.UserErrors, missing) {
			t.Errorf("%s in another shop: %+v", name, p.UserErrors)
		}
	}
	for _, tc := range []struct{ name, query string }{
		{"customerUpdate", updateEmail},
		{"customerAddressCreate", addressCreate},
		{"customerAddressUpdate", addressUpdate},
		{"customerAddressDelete", addressDelete},
		{"customerDefaultAddressUpdate", defaultUpdate},
	} {
		var p payload
		n.post(tc.query, map[string]any{"t": token, "id": address.ID, "a": map[string]any{"city": "Elsewhere"},
			"c": map[string]any{"firstName": "Elsewhere"}}, elsewhere).field(t, tc.name, &p)
		if len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "TOKEN_INVALID" {
			t.Errorf("%s in another shop: %+v", tc.name, p)
		}
	}

	var who *customerJSON
	n.post(customerQuery, map[string]any{"token": token}).field(t, "customer", &who)
	if who == nil || who.Email != "mine@example.com" || who.DisplayName == "Elsewhere" {
		t.Fatalf("the session in its own shop after the attempts elsewhere: %+v", who)
	}
	book, _ := n.addressBook(token, map[string]any{"first": 10})
	if len(book.Addresses.Edges) != 1 || book.Addresses.Edges[0].Node.City != "Ottawa" {
		t.Errorf("address book after the attempts elsewhere: %+v", book)
	}
}

// Walking a customer's orders page by page, forward with first and after
// or backward with last and before, visits every order once, in the order
// one page of them all shows, whatever the sort key, direction and page
// size: with orders attached to the customer and orders waiting for its
// address read together, and ties in processing time and total.
func TestOrdersArePagedEveryOrderOnceEitherWay(t *testing.T) {
	n := startNode(t)
	times := []string{"2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", "2023-01-01T00:00:00Z", "2025-01-01T00:00:00Z"}
	totals := []string{"10.00", "20.00", "10.00", "5.00"}
	place := func(i int) {
		n.importOrder(int64(101+i), "pager@example.com", times[i%4], `"total_price": "388.00"`, `"total_price": "`+totals[(i/2)%4]+`"`)
	}
	for i := range 5 {
		place(i)
	}
	n.signUp("pager@example.com", "a-long-password-1")
	token := n.proveMailbox("pager@example.com", "a-long-password-2", 1)
	for i := 5; i < 10; i++ {
		place(i)
	}
	for id, attached := range map[int64]bool{101: false, 110: true} {
		o, err := n.app.Store.OrderByID(context.Background(), n.shop.ID, id)
		if err != nil || (o.CustomerID != 0) != attached {
			t.Fatalf("order %d: customer %d, %v; want attached %v", id, o.CustomerID, err, attached)
		}
	}
	const query = `query($t: String!, $first: Int, $last: Int, $after: String, $before: String, $reverse: Boolean, $sortKey: OrderSortKeys) {
		customer(customerAccessToken: $t) { orders(first: $first, last: $last, after: $after, before: $before, reverse: $reverse, sortKey: $sortKey) {
			edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage } } } }`
	type edge struct {
		Cursor string
		Node   struct{ ID string }
	}
	page := func(vars map[string]any) ([]edge, bool, bool) {
		t.Helper()
		vars["t"] = token
		r := n.post(query, vars)
		var c struct {
			Orders struct {
				Edges    []edge
				PageInfo struct{ HasNextPage, HasPreviousPage bool }
			}
		}
		if len(r.Errors) > 0 {
			t.Fatalf("%v: %s", vars, r.Raw)
		}
		r.field(t, "customer", &c)
		return c.Orders.Edges, c.Orders.PageInfo.HasNextPage, c.Orders.PageInfo.HasPreviousPage
	}
	ids := func(edges []edge) []string {
		var out []string
		for _, e := range edges {
			out = append(out, e.Node.ID)
		}
		return out
	}
	for _, sortKey := range []string{"ID", "PROCESSED_AT", "TOTAL_PRICE"} {
		for _, reverse := range []bool{false, true} {
			all, _, _ := page(map[string]any{"first": 250, "sortKey": sortKey, "reverse": reverse})
			want := ids(all)
			if len(want) != 10 {
				t.Fatalf("%s reverse %v: %d orders, want 10", sortKey, reverse, len(want))
			}
			for size := 1; size <= 4; size++ {
				var forward, backward []string
				var after, before any
				for range len(want) {
					edges, next, _ := page(map[string]any{"first": size, "after": after, "sortKey": sortKey, "reverse": reverse})
					forward = append(forward, ids(edges)...)
					if !next {
						break
					}
					after = edges[len(edges)-1].Cursor
				}
				for range len(want) {
					edges, _, previous := page(map[string]any{"last": size, "before": before, "sortKey": sortKey, "reverse": reverse})
					backward = append(ids(edges), backward...)
					if !previous {
						break
					}
					before = edges[0].Cursor
				}
				if !slices.Equal(forward, want) || !slices.Equal(backward, want) {
					t.Errorf("%s reverse %v by %d: forward %v, backward %v, want %v", sortKey, reverse, size, forward, backward, want)
				}
			}
		}
	}
}
