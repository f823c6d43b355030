package app_test

import (
	"encoding/json"
	"fmt"
	"testing"
)

// An explicit null for an argument the schema gives a default (reverse,
// sortKey, withName, withCompany) is valid GraphQL, and what a client
// sends for a variable it left unset: each field answers as with the
// default, whether the null is written in the query or passed as a
// variable.
func TestNullArgumentsTakeTheirDefaults(t *testing.T) {
	n := startNode(t)
	n.importOrder(2, "jon@example.com", "2024-03-01T10:00:00Z")
	n.importOrder(3, "jon@example.com", "2023-06-01T10:00:00Z")
	token := n.provenJon()
	n.createAddress(token, map[string]any{"company": "Acme", "firstName": "Jon", "address1": "150 Elgin St",
		"city": "Ottawa", "country": "CA", "province": "ON", "zip": "K2P 1L4"})

	const shape = `addresses(first: 5, reverse: %s) { nodes { formatted(withName: %s, withCompany: %s) } }
		orders(first: 5, reverse: %s, sortKey: %s) { nodes { name
			lineItems(first: 5, reverse: %s) { nodes { title } }
			discountApplications(first: 5, reverse: %s) { nodes { allocationMethod } } } }`
	query := func(vars string, args ...any) string {
		return `query($t: String!` + vars + `) { customer(customerAccessToken: $t) { ` + fmt.Sprintf(shape, args...) + ` } }`
	}
	want := n.post(query("", "false", "false", "true", "false", "ID", "false", "false"), map[string]any{"t": token})
	if len(want.Errors) > 0 {
		t.Fatalf("with the defaults written out: %s", want.Raw)
	}
	for name, q := range map[string]string{
		"null":     query("", "null", "null", "null", "null", "null", "null", "null"),
		"variable": query(", $b: Boolean, $k: OrderSortKeys", "$b", "$b", "$b", "$b", "$k", "$b", "$b"),
	} {
		vars := map[string]any{"t": token}
		if name == "variable" {
			vars["b"], vars["k"] = nil, nil
		}
		r := n.post(q, vars)
		got, _ := json.Marshal(r.Data)
		wantJSON, _ := json.Marshal(want.Data)
		if len(r.Errors) > 0 || string(got) != string(wantJSON) {
			t.Errorf("%s arguments:\n got %s\nwant %s", name, r.Raw, wantJSON)
		}
	}
}
