package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/server"
)

// A Customer, wherever it appears, needs unauthenticated_read_customers,
// and its tags unauthenticated_read_customer_tags besides: a token that
// may only write customers still performs a mutation, but the customer in
// its payload is null with ACCESS_DENIED at that path, so a write-only
// token reads no profile, address or order through a mutation.
func TestACustomerNeedsTheReadScopeWhereverItAppears(t *testing.T) {
	n := startNode(t)
	n.signUp("ada@example.com", "first-secret-1")
	tok := n.login("ada@example.com", "first-secret-1")
	n.createAddress(tok, map[string]any{"address1": "150 Elgin St", "city": "Ottawa", "country": "CA", "province": "ON"})
	as := func(scopes ...storekeep.Scope) func(*request) {
		return withHeaders(map[string]string{server.PublicTokenHeader: n.apiToken(storekeep.APITokenPublic, scopes...)})
	}
	const update = `mutation($t: String!) { customerUpdate(customerAccessToken: $t, customer: {lastName: "King"}) {
		customer { email addresses(first: 10) { nodes { address1 } } orders(first: 10) { nodes { id } } }
		customerUserErrors { code } } }`

	r := n.post(update, map[string]any{"t": tok}, as(storekeep.ScopeWriteCustomers))
	if strings.Contains(string(r.Raw), "ada@example.com") || strings.Contains(string(r.Raw), "150 Elgin St") {
		t.Errorf("a write-only token read the customer through customerUpdate's payload: %s", r.Raw)
	}
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "ACCESS_DENIED" ||
		r.Errors[0].Extensions["requiredAccess"] != "`unauthenticated_read_customers` access scope." ||
		r.Errors[0].Message != "Access denied for customer field. Required access: `unauthenticated_read_customers` access scope." ||
		fmt.Sprint(r.Errors[0].Path...) != fmt.Sprint("customerUpdate", "customer") {
		t.Errorf("customerUpdate.customer without the read scope: %s", r.Raw)
	}
	var p struct {
		Customer           *struct{} `json:"customer"`
		CustomerUserErrors []any     `json:"customerUserErrors"`
	}
	r.field(t, "customerUpdate", &p)
	if p.Customer != nil || p.CustomerUserErrors == nil {
		t.Errorf("customerUpdate's payload without the read scope: %s", r.Raw)
	}
	var me struct{ LastName string }
	n.post(`query($t: String!) { customer(customerAccessToken: $t) { lastName } }`, map[string]any{"t": tok}).field(t, "customer", &me)
	if me.LastName != "King" {
		t.Errorf("the mutation was not performed: last name %q", me.LastName)
	}

	r = n.post(update, map[string]any{"t": tok}, as(storekeep.ScopeWriteCustomers, storekeep.ScopeReadCustomers))
	if len(r.Errors) != 0 || !strings.Contains(string(r.Raw), "150 Elgin St") {
		t.Errorf("with both scopes: %s", r.Raw)
	}

	const tags = `query($t: String!) { customer(customerAccessToken: $t) { email tags } }`
	r = n.post(tags, map[string]any{"t": tok}, as(storekeep.ScopeReadCustomers))
	if len(r.Errors) != 1 || r.Errors[0].Extensions["requiredAccess"] != "`unauthenticated_read_customer_tags` access scope." ||
		fmt.Sprint(r.Errors[0].Path...) != fmt.Sprint("customer", "tags") {
		t.Errorf("Customer.tags without unauthenticated_read_customer_tags: %s", r.Raw)
	}
	r = n.post(tags, map[string]any{"t": tok}, as(storekeep.ScopeReadCustomers, storekeep.ScopeReadCustomerTags))
	if len(r.Errors) != 0 {
		t.Errorf("Customer.tags with its scope: %s", r.Raw)
	}
}
