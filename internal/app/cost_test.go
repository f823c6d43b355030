package app_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
)

// The complexity score counts a connection's fields once whatever page
// it asks for, so 30 aliases of orders(first: 100) { lineItems(first:
// 100) } scored about 150 and rendered 300,000 line items (a 9.6 MB
// answer, seconds of work) for one 2.5 KB request, and 30 aliases of a
// full address book (100 addresses of 255-byte fields) answered 11 MiB
// for 6 KB. An operation may ask for at most 25,000 values, counted before
// it runs as each field selected times the pages of the connections around
// it (variables included); Hydrogen's account page asks for about 7,400.
func TestAnOperationAsksForAtMostMaxValues(t *testing.T) {
	n := startNode(t)
	n.signUp("big@example.com", "first-secret-1")
	tok := n.login("big@example.com", "first-secret-1")
	orders := func(aliases int, page string) string {
		var q strings.Builder
		if page == "$n" {
			q.WriteString(`query($t: String!, $n: Int!) { customer(customerAccessToken: $t) {`)
		} else {
			q.WriteString(`query($t: String!) { customer(customerAccessToken: $t) {`)
		}
		for i := range aliases {
			fmt.Fprintf(&q, ` o%d: orders(first: %s) { nodes { id lineItems(first: %s) { nodes { title } } } }`, i, page, page)
		}
		q.WriteString(` } }`)
		return q.String()
	}
	addresses := func(aliases int) string {
		var q strings.Builder
		q.WriteString(`query($t: String!) { customer(customerAccessToken: $t) {`)
		for i := range aliases {
			fmt.Fprintf(&q, ` a%d: addresses(first: 250) { nodes { id address1 address2 city company country countryCodeV2
				firstName lastName name phone province provinceCode zip formatted(withName: true) formattedArea } }`, i)
		}
		q.WriteString(` } }`)
		return q.String()
	}
	hydrogen := `query($t: String!) { customer(customerAccessToken: $t) { id
		addresses(first: 6) { edges { node { id formatted } } }
		orders(first: 250, sortKey: PROCESSED_AT, reverse: true) { edges { node { id orderNumber processedAt
			currentTotalPrice { amount currencyCode }
			lineItems(first: 2) { edges { node { title variant { image { url altText height width } } } } } } } } } }`
	for _, tc := range []struct {
		what  string
		query string
		n     int
		code  string
	}{
		{"Hydrogen's account page", hydrogen, 0, ""},
		{"one alias of 100 orders of 100 lines (20,301 values)", orders(1, "100"), 0, ""},
		{"two such aliases (40,602 values)", orders(2, "100"), 0, "MAX_VALUES_EXCEEDED"},
		{"30 such aliases", orders(30, "100"), 0, "MAX_VALUES_EXCEEDED"},
		{"pages from a variable, 250 by 250", orders(1, "$n"), 250, "MAX_VALUES_EXCEEDED"},
		{"pages from a variable, 100 by 100", orders(1, "$n"), 100, ""},
		{"30 aliases of a whole address book", addresses(30), 0, "MAX_VALUES_EXCEEDED"},
		{"5 aliases of a whole address book (21,255 values)", addresses(5), 0, ""},
		{"29 aliases of one connection's nodes", `query($t: String!) { customer(customerAccessToken: $t) { orders(first: 240) {
			nodes { id lineItems(first: 100) { nodes { title }` + aliasedNodes(29) + ` } } } } }`, 0, "MAX_VALUES_EXCEEDED"},
	} {
		vars := map[string]any{"t": tok}
		if strings.Contains(tc.query, "$n") {
			vars["n"] = tc.n
		}
		r := n.post(tc.query, vars)
		switch {
		case tc.code == "" && len(r.Errors) != 0:
			t.Errorf("%s: %s", tc.what, r.Raw)
		case tc.code != "" && (r.Status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != tc.code || r.Data != nil):
			t.Errorf("%s: %d %s, want only a %s error", tc.what, r.Status, r.Raw, tc.code)
		}
	}
}

// 30 aliased __schema selections passed every shape limit and answered a
// 7.7 KB public request with 12 full introspections' worth of JSON. An
// operation may select __schema once; a full introspection still works.
func TestAnOperationSelectsTheSchemaOnce(t *testing.T) {
	n := startNode(t)
	full, err := os.ReadFile("../graph/testdata/introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	if r := n.post(string(full), nil); len(r.Errors) != 0 {
		t.Fatalf("full introspection: %.300s", r.Raw)
	}
	r := n.post(`{ a: __schema { types { name fields { name } } } b: __schema { types { name fields { name } } } }`, nil)
	if r.Status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "MAX_INTROSPECTIONS_EXCEEDED" || r.Data != nil {
		t.Fatalf("two __schema: %d %.300s", r.Status, r.Raw)
	}
	if r := n.post(`{ a: __type(name: "Customer") { name } b: __type(name: "Order") { name } }`, nil); len(r.Errors) != 0 {
		t.Fatalf("two __type: %s", r.Raw)
	}
}

// aliasedNodes selects a connection's nodes under count aliases: each
// renders the whole page again.
func aliasedNodes(count int) string {
	var b strings.Builder
	for i := range count {
		fmt.Fprintf(&b, " n%d: nodes { title }", i)
	}
	return b.String()
}
