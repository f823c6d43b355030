package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/address"
	"github.com/storekeep/storekeep/internal/app"
)

const addressFields = `id address1 address2 city company country countryCode countryCodeV2 firstName lastName name
	phone province provinceCode zip formatted formattedWithName: formatted(withName: true, withCompany: false)
	formattedArea latitude longitude`

const (
	addressCreate = `mutation($t: String!, $a: MailingAddressInput!) { customerAddressCreate(customerAccessToken: $t, address: $a) {
		customerAddress { ` + addressFields + ` } customerUserErrors { code field message } userErrors { field message } } }`
	addressUpdate = `mutation($t: String!, $id: ID!, $a: MailingAddressInput!) { customerAddressUpdate(customerAccessToken: $t, id: $id, address: $a) {
		customerAddress { ` + addressFields + ` } customerUserErrors { code field message } userErrors { field message } } }`
	addressDelete = `mutation($t: String!, $id: ID!) { customerAddressDelete(customerAccessToken: $t, id: $id) {
		deletedCustomerAddressId customerUserErrors { code field message } userErrors { field message } } }`
	defaultUpdate = `mutation($t: String!, $id: ID!) { customerDefaultAddressUpdate(customerAccessToken: $t, addressId: $id) {
		customer { id defaultAddress { id } } customerUserErrors { code field message } userErrors { field message } } }`
	addressBook = `query($t: String!, $first: Int, $last: Int, $after: String, $before: String, $reverse: Boolean) {
		customer(customerAccessToken: $t) { defaultAddress { id }
			addresses(first: $first, last: $last, after: $after, before: $before, reverse: $reverse) {
				edges { cursor node { id city } } nodes { id }
				pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`
)

type addressJSON struct {
	ID                string   `json:"id"`
	Address1          *string  `json:"address1"`
	Address2          *string  `json:"address2"`
	City              *string  `json:"city"`
	Company           *string  `json:"company"`
	Country           *string  `json:"country"`
	CountryCode       *string  `json:"countryCode"`
	CountryCodeV2     *string  `json:"countryCodeV2"`
	FirstName         *string  `json:"firstName"`
	LastName          *string  `json:"lastName"`
	Name              *string  `json:"name"`
	Phone             *string  `json:"phone"`
	Province          *string  `json:"province"`
	ProvinceCode      *string  `json:"provinceCode"`
	Zip               *string  `json:"zip"`
	Formatted         []string `json:"formatted"`
	FormattedWithName []string `json:"formattedWithName"`
	FormattedArea     *string  `json:"formattedArea"`
	Latitude          *float64 `json:"latitude"`
	Longitude         *float64 `json:"longitude"`
}

type addressPayload struct {
	CustomerAddress          *addressJSON `json:"customerAddress"`
	DeletedCustomerAddressID *string      `json:"deletedCustomerAddressId"`
	Customer                 *struct {
		ID             string `json:"id"`
		DefaultAddress *struct {
			ID string `json:"id"`
		} `json:"defaultAddress"`
	} `json:"customer"`
	CustomerUserErrors []userError  `json:"customerUserErrors"`
	UserErrors         []plainError `json:"userErrors"`
}

type addressBookJSON struct {
	DefaultAddress *struct {
		ID string `json:"id"`
	} `json:"defaultAddress"`
	Addresses struct {
		Edges []struct {
			Cursor string `json:"cursor"`
			Node   struct {
				ID   string `json:"id"`
				City string `json:"city"`
			} `json:"node"`
		} `json:"edges"`
		Nodes []struct {
			ID string `json:"id"`
		} `json:"nodes"`
		PageInfo struct {
			HasNextPage     bool    `json:"hasNextPage"`
			HasPreviousPage bool    `json:"hasPreviousPage"`
			StartCursor     *string `json:"startCursor"`
			EndCursor       *string `json:"endCursor"`
		} `json:"pageInfo"`
	} `json:"addresses"`
}

func (n *node) addressMutation(name, query string, vars map[string]any) addressPayload {
	n.t.Helper()
	var p addressPayload
	n.post(query, vars).field(n.t, name, &p)
	return p
}

func (n *node) createAddress(token string, in map[string]any) addressJSON {
	n.t.Helper()
	p := n.addressMutation("customerAddressCreate", addressCreate, map[string]any{"t": token, "a": in})
	if len(p.CustomerUserErrors) > 0 || p.CustomerAddress == nil {
		n.t.Fatalf("customerAddressCreate %v: %+v", in, p)
	}
	return *p.CustomerAddress
}

func (n *node) addressBook(token string, vars map[string]any) (addressBookJSON, gqlResponse) {
	n.t.Helper()
	vars["t"] = token
	r := n.post(addressBook, vars)
	var c *addressBookJSON
	if raw, ok := r.Data["customer"]; ok {
		if err := json.Unmarshal(raw, &c); err != nil {
			n.t.Fatal(err)
		}
	}
	if c == nil {
		return addressBookJSON{}, r
	}
	return *c, r
}

func str(p *string) string {
	if p == nil {
		return "<null>"
	}
	return *p
}

func TestAddressBookThroughTheStorefrontAPI(t *testing.T) {
	n := startNode(t)
	n.signUp("ada@example.com", "first-secret-1")
	tok := n.login("ada@example.com", "first-secret-1")

	ottawa := n.createAddress(tok, map[string]any{
		"firstName": "Ada", "lastName": "Lovelace", "company": "Engines", "address1": "150 Elgin St",
		"address2": "8th floor", "city": "Ottawa", "province": "ontario", "country": "canada", "zip": "K2P 1L4",
		"phone": "613-555-0100",
	})
	got := map[string]string{
		"country": str(ottawa.Country), "countryCode": str(ottawa.CountryCode), "countryCodeV2": str(ottawa.CountryCodeV2),
		"province": str(ottawa.Province), "provinceCode": str(ottawa.ProvinceCode), "phone": str(ottawa.Phone),
		"name": str(ottawa.Name), "formattedArea": str(ottawa.FormattedArea),
	}
	want := map[string]string{
		"country": "Canada", "countryCode": "CA", "countryCodeV2": "CA", "province": "Ontario", "provinceCode": "ON",
		"phone": "+16135550100", "name": "Ada Lovelace", "formattedArea": "Ottawa, Ontario, Canada",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("normalised fields %v, want %v", got, want)
	}
	if w := []string{"Engines", "150 Elgin St", "8th floor", "Ottawa ON K2P 1L4", "Canada"}; !reflect.DeepEqual(ottawa.Formatted, w) {
		t.Errorf("formatted = %q, want %q", ottawa.Formatted, w)
	}
	if w := []string{"Ada Lovelace", "150 Elgin St", "8th floor", "Ottawa ON K2P 1L4", "Canada"}; !reflect.DeepEqual(ottawa.FormattedWithName, w) {
		t.Errorf("formatted(withName, !withCompany) = %q, want %q", ottawa.FormattedWithName, w)
	}
	if ottawa.Latitude != nil || ottawa.Longitude != nil {
		t.Error("latitude/longitude not null")
	}
	id, ok := storekeep.ParseMailingAddressGID(ottawa.ID)
	if !ok || ottawa.ID != fmt.Sprintf("gid://shopify/MailingAddress/%d?model_name=CustomerAddress", id) || strings.Contains(ottawa.ID, tok) {
		t.Errorf("id %q", ottawa.ID)
	}

	tokyo := n.createAddress(tok, map[string]any{"lastName": "Lovelace", "city": "Chiyoda", "province": "Tokyo", "country": "JP", "zip": "100-0001", "address1": "1-1 Marunouchi"})
	if str(tokyo.ProvinceCode) != "JP-13" || str(tokyo.Address2) != "<null>" || str(tokyo.Company) != "<null>" {
		t.Errorf("tokyo: %+v", tokyo)
	}
	if w := []string{"Japan 〒100-0001", "Tokyo Chiyoda", "1-1 Marunouchi"}; !reflect.DeepEqual(tokyo.Formatted, w) {
		t.Errorf("formatted = %q, want the country's order %q", tokyo.Formatted, w)
	}

	book, _ := n.addressBook(tok, map[string]any{"first": 10})
	if book.DefaultAddress == nil || book.DefaultAddress.ID != ottawa.ID || len(book.Addresses.Nodes) != 2 {
		t.Fatalf("address book after two creations: %+v", book)
	}

	p := n.addressMutation("customerDefaultAddressUpdate", defaultUpdate, map[string]any{"t": tok, "id": tokyo.ID})
	if len(p.CustomerUserErrors) > 0 || p.Customer == nil || p.Customer.DefaultAddress == nil || p.Customer.DefaultAddress.ID != tokyo.ID {
		t.Fatalf("customerDefaultAddressUpdate: %+v", p)
	}

	p = n.addressMutation("customerAddressUpdate", addressUpdate, map[string]any{"t": tok, "id": ottawa.ID, "a": map[string]any{"city": "Kingston", "zip": "K7L 2V7"}})
	if len(p.CustomerUserErrors) > 0 || str(p.CustomerAddress.City) != "Kingston" || str(p.CustomerAddress.Address1) != "150 Elgin St" || str(p.CustomerAddress.ProvinceCode) != "ON" {
		t.Fatalf("customerAddressUpdate keeps absent fields: %+v", p)
	}

	p = n.addressMutation("customerAddressDelete", addressDelete, map[string]any{"t": tok, "id": tokyo.ID})
	if len(p.CustomerUserErrors) > 0 || str(p.DeletedCustomerAddressID) != tokyo.ID {
		t.Fatalf("customerAddressDelete: %+v", p)
	}
	book, _ = n.addressBook(tok, map[string]any{"first": 10})
	if book.DefaultAddress == nil || book.DefaultAddress.ID != ottawa.ID || len(book.Addresses.Nodes) != 1 {
		t.Fatalf("after deleting the default: %+v", book)
	}
	kinds := map[storekeep.AuditKind]int{}
	events, err := n.app.Store.AuditEvents(context.Background(), n.shop.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		kinds[e.Kind]++
	}
	for kind, want := range map[storekeep.AuditKind]int{storekeep.AuditAddressCreated: 2, storekeep.AuditAddressUpdated: 1,
		storekeep.AuditDefaultAddressChanged: 1, storekeep.AuditAddressDeleted: 1} {
		if kinds[kind] != want {
			t.Errorf("%d %s events, want %d", kinds[kind], kind, want)
		}
	}
}

func TestBadAddressesAreUserErrorsAndStoreNothing(t *testing.T) {
	n := startNode(t)
	n.signUp("ada@example.com", "first-secret-1")
	tok := n.login("ada@example.com", "first-secret-1")
	for _, tc := range []struct {
		in         map[string]any
		code, path string
	}{
		{map[string]any{"country": "Atlantis", "city": "X"}, "INVALID", "address.country"},
		{map[string]any{"country": "US", "province": "Ontario"}, "INVALID", "address.province"},
		{map[string]any{"country": "Canada", "province": "ZZ"}, "INVALID", "address.province"},
		{map[string]any{"country": "CA", "phone": "call me maybe"}, "INVALID", "address.phone"},
		{map[string]any{"country": "CA", "phone": "+1 12"}, "INVALID", "address.phone"},
		{map[string]any{"address1": "150 Elgin\x00St"}, "INVALID", "address.address1"},
		{map[string]any{"city": "Ottawa\nDROP"}, "INVALID", "address.city"},
		{map[string]any{"zip": strings.Repeat("9", 256)}, "TOO_LONG", "address.zip"},
		{map[string]any{"firstName": "<script>x</script>"}, "CONTAINS_HTML_TAGS", "address.firstName"},
		{map[string]any{"lastName": "visit https://evil.example"}, "CONTAINS_URL", "address.lastName"},
	} {
		p := n.addressMutation("customerAddressCreate", addressCreate, map[string]any{"t": tok, "a": tc.in})
		if p.CustomerAddress != nil || len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != tc.code ||
			strings.Join(p.CustomerUserErrors[0].Field, ".") != tc.path || len(p.UserErrors) != 1 {
			t.Errorf("%q: %+v, want one %s on %s", tc.in, p, tc.code, tc.path)
		}
	}
	book, _ := n.addressBook(tok, map[string]any{"first": 250})
	if len(book.Addresses.Nodes) != 0 || book.DefaultAddress != nil {
		t.Errorf("bad addresses stored: %+v", book)
	}
}

func TestAnotherCustomersAddressCannotBeTouched(t *testing.T) {
	n := startNode(t)
	n.signUp("victim@example.com", "first-secret-1")
	n.signUp("attacker@example.com", "first-secret-1")
	victim := n.login("victim@example.com", "first-secret-1")
	attacker := n.login("attacker@example.com", "first-secret-1")
	target := n.createAddress(victim, map[string]any{"address1": "1 Secret Lane", "country": "CA", "province": "ON"})
	own := n.createAddress(attacker, map[string]any{"address1": "2 Open Road", "country": "CA", "province": "QC"})
	ownID, _ := storekeep.ParseMailingAddressGID(own.ID)
	targetID, _ := storekeep.ParseMailingAddressGID(target.ID)
	ids := []string{
		target.ID,
		fmt.Sprintf("gid://shopify/MailingAddress/%d", targetID),
		fmt.Sprintf("gid://shopify/MailingAddress/%d?model_name=CustomerAddress&customer_access_token=%s", targetID, victim),
	}
	for _, id := range ids {
		for _, tc := range []struct{ name, query, field string }{
			{"customerAddressUpdate", addressUpdate, "id"},
			{"customerAddressDelete", addressDelete, "id"},
			{"customerDefaultAddressUpdate", defaultUpdate, "addressId"},
		} {
			p := n.addressMutation(tc.name, tc.query, map[string]any{"t": attacker, "id": id, "a": map[string]any{"city": "Owned"}})
			if len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "NOT_FOUND" || strings.Join(p.CustomerUserErrors[0].Field, ".") != tc.field ||
				p.CustomerAddress != nil || p.DeletedCustomerAddressID != nil || p.Customer != nil {
				t.Errorf("%s of another customer's %s: %+v", tc.name, id, p)
			}
		}
	}
	for _, tc := range []struct{ name, query string }{
		{"customerAddressCreate", addressCreate}, {"customerAddressUpdate", addressUpdate},
		{"customerAddressDelete", addressDelete}, {"customerDefaultAddressUpdate", defaultUpdate},
	} {
		p := n.addressMutation(tc.name, tc.query, map[string]any{"t": "not-a-token", "id": own.ID, "a": map[string]any{"city": "X"}})
		if len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "TOKEN_INVALID" {
			t.Errorf("%s with a bad token: %+v", tc.name, p)
		}
	}
	stored, err := n.app.Store.Addresses(context.Background(), n.shop.ID, mustCustomerID(t, n, "victim@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || stored[0].ID != targetID || stored[0].City != "" || !stored[0].Default {
		t.Errorf("victim's address after the attack: %+v", stored)
	}
	if a, err := n.app.Store.Address(context.Background(), n.shop.ID, mustCustomerID(t, n, "attacker@example.com"), ownID); err != nil || a.City != "" {
		t.Errorf("attacker's own address changed by a bad token: %+v %v", a, err)
	}
}

// TestIDsOfOtherModelsNameNoAddress: an order's address shares
// MailingAddress ids with the address book (its number is the order's), so
// an id whose model_name is not CustomerAddress must not reach the
// customer's address of that number.
func TestIDsOfOtherModelsNameNoAddress(t *testing.T) {
	n := startNode(t)
	n.signUp("ada@example.com", "first-secret-1")
	tok := n.login("ada@example.com", "first-secret-1")
	a := n.createAddress(tok, map[string]any{"address1": "1 Main St", "city": "Ottawa", "country": "CA", "province": "ON"})
	n.createAddress(tok, map[string]any{"address1": "2 Side St", "country": "CA", "province": "QC"})
	id, _ := storekeep.ParseMailingAddressGID(a.ID)
	base := fmt.Sprintf("gid://shopify/MailingAddress/%d", id)
	for _, gid := range []string{
		base + "?model_name=Address",
		base + "?model_name=CustomerAddress&model_name=Address",
		base + "?model_name=customeraddress",
		base + "?model_name=CustomerAddress%00",
		base + "?model_name=",
		fmt.Sprintf("gid://shopify/Order/%d", id),
		fmt.Sprintf("gid://shopify/Customer/%d", id),
	} {
		for _, tc := range []struct{ name, query, field string }{
			{"customerAddressUpdate", addressUpdate, "id"},
			{"customerDefaultAddressUpdate", defaultUpdate, "addressId"},
			{"customerAddressDelete", addressDelete, "id"},
		} {
			p := n.addressMutation(tc.name, tc.query, map[string]any{"t": tok, "id": gid, "a": map[string]any{"city": "Elsewhere"}})
			if len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "NOT_FOUND" || strings.Join(p.CustomerUserErrors[0].Field, ".") != tc.field {
				t.Errorf("%s %s: %+v, want NOT_FOUND on %s", tc.name, gid, p, tc.field)
			}
		}
	}
	book, _ := n.addressBook(tok, map[string]any{"first": 10})
	if len(book.Addresses.Nodes) != 2 || book.DefaultAddress == nil || book.DefaultAddress.ID != a.ID || book.Addresses.Edges[0].Node.City != "Ottawa" {
		t.Errorf("address book after ids of other models: %+v", book)
	}
}

func mustCustomerID(t *testing.T, n *node, email string) int64 {
	t.Helper()
	c, err := n.app.Store.CustomerByEmail(context.Background(), n.shop.ID, storekeep.NormalizeEmail(email))
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func TestAddressesPageAsRelayConnections(t *testing.T) {
	n := startNode(t)
	n.signUp("ada@example.com", "first-secret-1")
	tok := n.login("ada@example.com", "first-secret-1")
	var cities []string
	for i := range 5 {
		city := fmt.Sprintf("City %d", i)
		n.createAddress(tok, map[string]any{"city": city, "country": "FR"})
		cities = append(cities, city)
	}
	page := func(vars map[string]any) addressBookJSON {
		t.Helper()
		book, r := n.addressBook(tok, vars)
		if len(r.Errors) > 0 {
			t.Fatalf("%v: %s", vars, r.Raw)
		}
		return book
	}
	got := func(b addressBookJSON) []string {
		var c []string
		for _, e := range b.Addresses.Edges {
			c = append(c, e.Node.City)
		}
		return c
	}
	first := page(map[string]any{"first": 2})
	if !reflect.DeepEqual(got(first), cities[:2]) || !first.Addresses.PageInfo.HasNextPage || first.Addresses.PageInfo.HasPreviousPage {
		t.Fatalf("first 2: %+v", first.Addresses)
	}
	next := page(map[string]any{"first": 2, "after": *first.Addresses.PageInfo.EndCursor})
	if !reflect.DeepEqual(got(next), cities[2:4]) || !next.Addresses.PageInfo.HasNextPage || !next.Addresses.PageInfo.HasPreviousPage {
		t.Fatalf("next 2: %+v", next.Addresses)
	}
	last := page(map[string]any{"first": 2, "after": *next.Addresses.PageInfo.EndCursor})
	if !reflect.DeepEqual(got(last), cities[4:]) || last.Addresses.PageInfo.HasNextPage {
		t.Fatalf("last page: %+v", last.Addresses)
	}
	back := page(map[string]any{"last": 2, "before": *next.Addresses.PageInfo.StartCursor})
	if !reflect.DeepEqual(got(back), cities[:2]) || back.Addresses.PageInfo.HasPreviousPage || !back.Addresses.PageInfo.HasNextPage {
		t.Fatalf("last 2 before: %+v", back.Addresses)
	}
	reversed := page(map[string]any{"first": 2, "reverse": true})
	if !reflect.DeepEqual(got(reversed), []string{cities[4], cities[3]}) {
		t.Fatalf("reverse: %+v", reversed.Addresses)
	}
	empty := page(map[string]any{"first": 0})
	if len(empty.Addresses.Edges) != 0 || empty.Addresses.PageInfo.StartCursor != nil || !empty.Addresses.PageInfo.HasNextPage {
		t.Fatalf("first 0: %+v", empty.Addresses)
	}
	for _, tc := range []struct {
		vars    map[string]any
		message string
	}{
		{map[string]any{}, "you must provide one of first or last"},
		{map[string]any{"first": 251}, "first must be between 0 and 250"},
		{map[string]any{"last": -1}, "last must be between 0 and 250"},
		{map[string]any{"first": 1, "after": "bm90IGEgY3Vyc29y"}, "after is not a valid cursor"},
		{map[string]any{"first": 1, "before": "%%%"}, "before is not a valid cursor"},
	} {
		_, r := n.addressBook(tok, tc.vars)
		if len(r.Errors) != 1 || r.Errors[0].Message != tc.message || r.Errors[0].Extensions["code"] != "BAD_REQUEST" {
			t.Errorf("%v: %s, want the error %q", tc.vars, r.Raw, tc.message)
		}
	}
}

func TestACustomerKeepsAtMostMaxAddresses(t *testing.T) {
	n := startNode(t)
	n.signUp("ada@example.com", "first-secret-1")
	tok := n.login("ada@example.com", "first-secret-1")
	ctx := context.Background()
	c, err := n.app.Store.CustomerByID(ctx, n.shop.ID, mustCustomerID(t, n, "ada@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	city := "Ottawa"
	for range storekeep.MaxAddressesPerCustomer {
		if _, err := n.app.Accounts.AddAddress(ctx, c, address.Input{City: &city}, false, storekeep.Caller{IP: "cli"}); err != nil {
			t.Fatal(err)
		}
	}
	p := n.addressMutation("customerAddressCreate", addressCreate, map[string]any{"t": tok, "a": map[string]any{"city": "One too many"}})
	if p.CustomerAddress != nil || len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "INVALID" {
		t.Fatalf("address %d: %+v", storekeep.MaxAddressesPerCustomer+1, p)
	}
	list, err := n.app.Store.Addresses(ctx, n.shop.ID, c.ID)
	if err != nil || len(list) != storekeep.MaxAddressesPerCustomer {
		t.Fatalf("%d addresses stored, %v", len(list), err)
	}
}

func TestAddressChangesAreThrottledPerCustomer(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Account.AddressChangesPerCustomer = storekeep.Limit{Count: 3, Per: time.Hour}
	})
	n.signUp("busy@example.com", "first-secret-1")
	n.signUp("calm@example.com", "first-secret-1")
	busy := n.login("busy@example.com", "first-secret-1")
	calm := n.login("calm@example.com", "first-secret-1")
	a := n.createAddress(busy, map[string]any{"city": "One"})
	n.createAddress(busy, map[string]any{"city": "Two"})
	p := n.addressMutation("customerDefaultAddressUpdate", defaultUpdate, map[string]any{"t": busy, "id": a.ID})
	if len(p.CustomerUserErrors) != 0 {
		t.Fatalf("third change: %+v", p)
	}
	for _, tc := range []struct{ name, query string }{
		{"customerAddressCreate", addressCreate}, {"customerAddressUpdate", addressUpdate},
		{"customerAddressDelete", addressDelete}, {"customerDefaultAddressUpdate", defaultUpdate},
	} {
		r := n.post(tc.query, map[string]any{"t": busy, "id": a.ID, "a": map[string]any{"city": "Flood"}})
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "THROTTLED" || string(r.Data[tc.name]) != "null" {
			t.Errorf("%s over the limit: %s", tc.name, r.Raw)
		}
	}
	stored, err := n.app.Store.Addresses(context.Background(), n.shop.ID, mustCustomerID(t, n, "busy@example.com"))
	if err != nil || len(stored) != 2 || stored[0].City != "One" {
		t.Fatalf("addresses after the refused changes: %+v %v", stored, err)
	}
	n.createAddress(calm, map[string]any{"city": "Elsewhere"})
	n.clock.Advance(time.Hour)
	n.createAddress(busy, map[string]any{"city": "Three"})
}
