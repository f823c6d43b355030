package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
)

// allScopes is a session whose token grants every customer scope.
func allScopes() storekeep.Session {
	return withScopes(storekeep.KnownScopes...)
}

func withScopes(scopes ...storekeep.Scope) storekeep.Session {
	return storekeep.Session{
		Shop:   storekeep.Shop{ID: 1, Domain: "shop.example"},
		Token:  storekeep.APIToken{ID: 1, ShopID: 1, Kind: storekeep.APITokenPublic, Scopes: scopes},
		Caller: storekeep.Caller{IP: "192.0.2.1", Locale: "en"},
	}
}

// post sends body to h as the HTTP layer would, with s in the context
// (none when s is nil), and returns the status and body.
func post(t *testing.T, h http.Handler, s *storekeep.Session, contentType, body string) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/2026-10/graphql.json", strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if s != nil {
		req = req.WithContext(storekeep.NewContext(req.Context(), *s))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	out, err := io.ReadAll(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	return rec.Code, out
}

// postJSON sends a JSON request body.
func postJSON(t *testing.T, h http.Handler, s *storekeep.Session, query string, variables map[string]any) (int, []byte) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		t.Fatal(err)
	}
	return post(t, h, s, "application/json", string(body))
}

type gqlResponse struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func decode(t *testing.T, body []byte) gqlResponse {
	t.Helper()
	var r gqlResponse
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, body)
	}
	return r
}

// newTestHandler is NewHandler over a Resolver without services: every
// request in these tests is settled before a resolver would call one, and
// a call would panic and show up as an internal error.
func newTestHandler(t *testing.T, opts ...Option) (http.Handler, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	res := &Resolver{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	return NewHandler(res, opts...), &logs
}

func TestAccessDenied(t *testing.T) {
	h, _ := newTestHandler(t)
	cases := []struct {
		name    string
		session storekeep.Session
		query   string
		want    string
	}{
		{
			name:    "mutation without write scope",
			session: withScopes(storekeep.ScopeReadCustomers),
			query:   `mutation { customerRecover(email: "ann@example.com") { customerUserErrors { code } } }`,
			want:    "{\"errors\":[{\"message\":\"Access denied for customerRecover field. Required access: `unauthenticated_write_customers` access scope.\",\"path\":[\"customerRecover\"],\"extensions\":{\"code\":\"ACCESS_DENIED\",\"documentation\":\"https://shopify.dev/api/usage/access-scopes\",\"requiredAccess\":\"`unauthenticated_write_customers` access scope.\"}}],\"data\":{\"customerRecover\":null}}",
		},
		{
			name:    "query without read scope, aliased",
			session: withScopes(storekeep.ScopeWriteCustomers),
			query:   `{ me: customer(customerAccessToken: "t") { id } }`,
			want:    "{\"errors\":[{\"message\":\"Access denied for customer field. Required access: `unauthenticated_read_customers` access scope.\",\"path\":[\"me\"],\"extensions\":{\"code\":\"ACCESS_DENIED\",\"documentation\":\"https://shopify.dev/api/usage/access-scopes\",\"requiredAccess\":\"`unauthenticated_read_customers` access scope.\"}}],\"data\":{\"me\":null}}",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := postJSON(t, h, &tc.session, tc.query, nil)
			if status != http.StatusOK {
				t.Errorf("status = %d, want 200", status)
			}
			if string(body) != tc.want {
				t.Errorf("body\n got %s\nwant %s", body, tc.want)
			}
		})
	}
}

func TestEveryMutationNeedsWriteScope(t *testing.T) {
	h, _ := newTestHandler(t)
	s := withScopes(storekeep.ScopeReadCustomers)
	query := `mutation {
		a: customerRecover(email: "a@example.com") { __typename }
		b: customerReset(id: "gid://shopify/Customer/1", input: {resetToken: "t", password: "secret1"}) { __typename }
		c: customerResetByUrl(resetUrl: "https://shop.example/account/reset/1/t", password: "secret1") { __typename }
		d: customerActivate(id: "gid://shopify/Customer/1", input: {activationToken: "t", password: "secret1"}) { __typename }
		e: customerActivateByUrl(activationUrl: "https://shop.example/account/activate/1/t", password: "secret1") { __typename }
		f: customerCreate(input: {email: "a@example.com", password: "secret1"}) { __typename }
		g: customerAccessTokenCreate(input: {email: "a@example.com", password: "secret1"}) { __typename }
		h: customerAccessTokenRenew(customerAccessToken: "t") { __typename }
		i: customerAccessTokenDelete(customerAccessToken: "t") { __typename }
		j: customerUpdate(customerAccessToken: "t", customer: {firstName: "A"}) { __typename }
	}`
	_, body := postJSON(t, h, &s, query, nil)
	r := decode(t, body)
	if len(r.Errors) != 10 {
		t.Fatalf("%d errors, want 10: %s", len(r.Errors), body)
	}
	for _, e := range r.Errors {
		if e.Extensions["code"] != "ACCESS_DENIED" || e.Extensions["requiredAccess"] != "`unauthenticated_write_customers` access scope." {
			t.Errorf("error %v: want ACCESS_DENIED for the write scope", e)
		}
	}
	for key, v := range r.Data {
		if string(v) != "null" {
			t.Errorf("data.%s = %s, want null", key, v)
		}
	}
}

func TestNoSessionIsInternalError(t *testing.T) {
	h, logs := newTestHandler(t)
	status, body := postJSON(t, h, nil, `{ customer(customerAccessToken: "t") { id } }`, nil)
	want := `{"errors":[{"message":"Internal error. Looks like something went wrong on our end.","path":["customer"],"extensions":{"code":"INTERNAL_SERVER_ERROR"}}],"data":{"customer":null}}`
	if status != http.StatusOK || string(body) != want {
		t.Errorf("got %d %s\nwant 200 %s", status, body, want)
	}
	if !strings.Contains(logs.String(), "no storekeep.Session") {
		t.Errorf("cause not logged: %s", logs)
	}
}

func TestURLCoercionFailsTheField(t *testing.T) {
	h, logs := newTestHandler(t)
	s := allScopes()
	const mutation = `mutation Reset($url: URL!) { customerResetByUrl(resetUrl: $url, password: "secret1") { customer { id } } }`
	for _, input := range []string{"not a url", "/account/reset/1/abc", "ftp://shop.example/account/reset/1/abc", "https://"} {
		t.Run(input, func(t *testing.T) {
			status, body := postJSON(t, h, &s, mutation, map[string]any{"url": input})
			r := decode(t, body)
			if status != http.StatusOK || len(r.Errors) != 1 || string(r.Data["customerResetByUrl"]) != "null" {
				t.Fatalf("got %d %s, want 200 with customerResetByUrl null and one error", status, body)
			}
			if msg := r.Errors[0].Message; !strings.Contains(msg, "URL must be an absolute http or https URL") || strings.Contains(msg, input) {
				t.Errorf("message %q, want the coercion failure without the value", msg)
			}
		})
	}
	status, body := postJSON(t, h, &s, `mutation { customerActivateByUrl(activationUrl: "nope", password: "secret1") { customer { id } } }`, nil)
	if r := decode(t, body); status != http.StatusOK || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "URL must be an absolute http or https URL") {
		t.Errorf("literal: got %d %s", status, body)
	}
	if logs.Len() != 0 {
		t.Errorf("a client error was logged as a failure: %s", logs)
	}
}

func TestApplicationGraphQLBody(t *testing.T) {
	h, _ := newTestHandler(t)
	s := allScopes()
	status, body := post(t, h, &s, "application/graphql", `{ __schema { queryType { name } mutationType { name } } }`)
	want := `{"data":{"__schema":{"queryType":{"name":"QueryRoot"},"mutationType":{"name":"Mutation"}}}}`
	if status != http.StatusOK || string(body) != want {
		t.Errorf("got %d %s\nwant 200 %s", status, body, want)
	}
}

func TestParseAndValidationErrorsAreHTTP200(t *testing.T) {
	h, _ := newTestHandler(t)
	s := allScopes()
	for _, query := range []string{
		`mutation { customerRecover(`,
		`mutation { customerRecover { userErrors { message } } }`,
		`mutation { customerRecover(email: "a@example.com") { customer { id } } }`,
		`mutation @inContext(language: KLINGON) { customerRecover(email: "a@example.com") { userErrors { message } } }`,
	} {
		status, body := postJSON(t, h, &s, query, nil)
		if r := decode(t, body); status != http.StatusOK || len(r.Errors) == 0 || r.Data != nil {
			t.Errorf("%s: got %d %s, want 200 with errors and no data", query, status, body)
		}
	}
}

func TestLimits(t *testing.T) {
	limits := Limits{Complexity: 10, Depth: 4, Fields: 20, Aliases: 2, Spreads: 8, SameName: 6, Tokens: 200, Values: 100}
	h, _ := newTestHandler(t, func(o *options) { o.limits = limits })
	s := allScopes()
	cases := []struct{ name, query, code string }{
		{"depth", `{ __schema { types { fields { type { name } } } } }`, "MAX_DEPTH_EXCEEDED"},
		{"aliases", `{ a: __typename b: __typename c: __typename }`, "MAX_ALIASES_EXCEEDED"},
		{"fields through fragments", `{ ...F ...F ...F ...F ...F } fragment F on QueryRoot { __typename __typename __typename __typename __typename }`, "MAX_FIELDS_EXCEEDED"},
		{"complexity", `mutation {
			a: customerRecover(email: "a@example.com") { customerUserErrors { code field message } userErrors { field message } }
			b: customerRecover(email: "b@example.com") { customerUserErrors { code field message } userErrors { field message } }
		}`, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"tokens", "{" + strings.Repeat(" __typename", 200) + " }", "GRAPHQL_PARSE_FAILED"},
		{"values", `{ customer(customerAccessToken: "x") { addresses(first: 50) { nodes { id } } } }`, "MAX_VALUES_EXCEEDED"},
		{"values with a page from an unset variable, counted as 250", `query($n: Int) { customer(customerAccessToken: "x") { addresses(last: $n) { nodes { id } } } }`, "MAX_VALUES_EXCEEDED"},
		{"schema twice", `{ a: __schema { queryType { name } } b: __schema { queryType { name } } }`, "MAX_INTROSPECTIONS_EXCEEDED"},
		// Refused before validation, which would refuse these otherwise.
		{"fields, one unknown", "{" + strings.Repeat(" __typename", 21) + " nosuchfield }", "MAX_FIELDS_EXCEEDED"},
		{"fields in an unused fragment", "{ __typename } fragment F on QueryRoot {" + strings.Repeat(" __typename", 21) + " }", "MAX_FIELDS_EXCEEDED"},
		{"fields through fragments, one unknown", `{ ...F ...F ...F ...F ...F nosuchfield } fragment F on QueryRoot { __typename __typename __typename __typename __typename }`, "MAX_FIELDS_EXCEEDED"},
		{"fields through nested fragments", `{ ...A } fragment A on QueryRoot { ...B ...B ...B } fragment B on QueryRoot { ...C ...C ...C } fragment C on QueryRoot { ...D ...D ...D } fragment D on QueryRoot { nosuchfield }`, "MAX_FIELDS_EXCEEDED"},
		{"aliases, one unknown", `{ a: __typename b: __typename c: nosuchfield }`, "MAX_ALIASES_EXCEEDED"},
		{"depth of unknown fields", `{ a { b { c { d { e } } } } }`, "MAX_DEPTH_EXCEEDED"},
		{"depth through a fragment", `{ a { ...F } } fragment F on X { b { c { d { e } } } }`, "MAX_DEPTH_EXCEEDED"},
		{"spreads of a chain of fragments", `{ ...A ...A ...A } fragment A on QueryRoot { ...B } fragment B on QueryRoot { ...C } fragment C on QueryRoot { __typename }`, "MAX_FRAGMENT_SPREADS_EXCEEDED"},
		{"spreads in an unused fragment", `{ __typename } fragment A on QueryRoot { ...B ...B ...B ...B ...B ...B ...B ...B ...B } fragment B on QueryRoot { __typename }`, "MAX_FRAGMENT_SPREADS_EXCEEDED"},
		{"one name 7 times", "{" + strings.Repeat(` __type(name: "Shop") { name }`, 7) + " }", "MAX_SAME_NAME_EXCEEDED"},
		{"one name 7 times through fragments", `{ __typename ...A ... on QueryRoot { __typename ...A } } fragment A on QueryRoot { __typename __typename ... on QueryRoot { __typename } }`, "MAX_SAME_NAME_EXCEEDED"},
		{"fragments spread within each other", `{ ...A } fragment A on QueryRoot { __typename ...B } fragment B on QueryRoot { ...A }`, "GRAPHQL_VALIDATION_FAILED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := postJSON(t, h, &s, tc.query, nil)
			r := decode(t, body)
			if status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != tc.code {
				t.Errorf("got %d %s, want 200 with %s", status, body, tc.code)
			}
		})
	}

	h, _ = newTestHandler(t)
	status, body := postJSON(t, h, &s, `{ __type(name: "Customer") { fields { type { fields { type { fields { type { fields { name } } } } } } } } }`, nil)
	if r := decode(t, body); status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Message != "Maximum introspection depth exceeded" {
		t.Errorf("nested introspection lists: got %d %s", status, body)
	}
	status, body = postJSON(t, h, &s, `{ __typename }`, nil)
	if status != http.StatusOK || string(body) != `{"data":{"__typename":"QueryRoot"}}` {
		t.Errorf("small query refused: %d %s", status, body)
	}

	h, _ = newTestHandler(t, func(o *options) { o.limits, o.limits.Complexity, o.limits.SameName = limits, 100, 20 })
	two := "query A {" + strings.Repeat(" __typename", 15) + " } query B {" + strings.Repeat(" __typename", 15) + " }"
	req, err := json.Marshal(map[string]any{"query": two, "operationName": "B"})
	if err != nil {
		t.Fatal(err)
	}
	status, body = post(t, h, &s, "application/json", string(req))
	if r := decode(t, body); status != http.StatusOK || len(r.Errors) != 0 {
		t.Errorf("two operations of 15 fields each, limit 20: got %d %s, want each admitted", status, body)
	}
}

// TestLimitsApplyToTheOperationThatRuns: a document may hold several
// operations (GraphiQL sends its whole editor with the operationName to
// run); only the one named is measured after validation, so one that is
// not run must not make the document refused (but for Fields, which
// bounds what validating the document costs).
func TestLimitsApplyToTheOperationThatRuns(t *testing.T) {
	limits := Limits{Complexity: 100, Depth: 4, Fields: 20, Aliases: 2, Spreads: 8, SameName: 20, Tokens: 200, Values: 100}
	h, _ := newTestHandler(t, func(o *options) { o.limits = limits })
	s := allScopes()
	for name, doc := range map[string]string{
		"aliases":  "query Big { a: __typename b: __typename c: __typename } query Small { __typename }",
		"depth":    "query Big { __schema { types { fields { type { name } } } } } query Small { __typename }",
		"fragment": "query Big { ...F } query Small { __typename } fragment F on QueryRoot { a: __typename b: __typename c: __typename }",
	} {
		req, err := json.Marshal(map[string]any{"query": doc, "operationName": "Small"})
		if err != nil {
			t.Fatal(err)
		}
		status, body := post(t, h, &s, "application/json", string(req))
		if status != http.StatusOK || string(body) != `{"data":{"__typename":"QueryRoot"}}` {
			t.Errorf("%s over the limit in an operation not run: got %d %s, want the one run admitted", name, status, body)
		}
	}
}

// TestLimitCodeIsTheOneTheOperationExceedsFirst: of an operation over
// several limits, the code is the one its walk meets first, as before
// the limits were applied to the text.
func TestLimitCodeIsTheOneTheOperationExceedsFirst(t *testing.T) {
	limits := Limits{Complexity: 100, Depth: 4, Fields: 20, Aliases: 2, Spreads: 8, SameName: 20, Tokens: 200, Values: 100}
	h, _ := newTestHandler(t, func(o *options) { o.limits = limits })
	s := allScopes()
	for _, tc := range []struct{ name, query, code string }{
		{"values, then fields", `{ customer(customerAccessToken: "x") { addresses(first: 50) { nodes { id } } }` + strings.Repeat(" __typename", 20) + ` }`, "MAX_VALUES_EXCEEDED"},
		{"schema twice, then fields", `{ __schema { queryType { name } } __schema { queryType { name } }` + strings.Repeat(" __typename", 20) + ` }`, "MAX_INTROSPECTIONS_EXCEEDED"},
		{"a page from a variable's default, then fields", `query($n: Int = 1) { customer(customerAccessToken: "x") { addresses(first: $n) { nodes { id } } }` + strings.Repeat(" __typename", 20) + ` }`, "MAX_FIELDS_EXCEEDED"},
		{"fields, then values", "{" + strings.Repeat(" __typename", 20) + ` customer(customerAccessToken: "x") { addresses(first: 50) { nodes { id } } } }`, "MAX_FIELDS_EXCEEDED"},
	} {
		status, body := postJSON(t, h, &s, tc.query, nil)
		r := decode(t, body)
		if status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != tc.code {
			t.Errorf("%s: got %d %s, want 200 with %s", tc.name, status, body, tc.code)
		}
	}
}

// TestLimitsCountEveryDefinitionOfAFragment: validation walks every
// definition of a fragment, the second of a name too (and only then
// refuses the name twice), so the limits on the text must measure it.
func TestLimitsCountEveryDefinitionOfAFragment(t *testing.T) {
	limits := Limits{Complexity: 100, Depth: 4, Fields: 20, Aliases: 2, Spreads: 8, SameName: 20, Tokens: 200, Values: 100}
	h, _ := newTestHandler(t, func(o *options) { o.limits = limits })
	s := allScopes()
	query := "{ ...F } fragment F on QueryRoot { __typename } fragment F on QueryRoot {" + strings.Repeat(" __typename", 21) + " }"
	status, body := postJSON(t, h, &s, query, nil)
	if r := decode(t, body); status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "MAX_FIELDS_EXCEEDED" {
		t.Errorf("a second definition of F over the field limit: got %d %s, want MAX_FIELDS_EXCEEDED", status, body)
	}
}

// TestLimitsBoundTheWholeDocument: validation walks every operation and
// fragment of the document, so operations and fragments each within the
// limits must not add up to a document any size the tokens allow.
func TestLimitsBoundTheWholeDocument(t *testing.T) {
	limits := Limits{Complexity: 100, Depth: 4, Fields: 20, Aliases: 2, Spreads: 8, SameName: 20, Tokens: 400, Values: 100}
	h, _ := newTestHandler(t, func(o *options) { o.limits = limits })
	s := allScopes()
	var ops, chain strings.Builder
	for i := range 7 {
		fmt.Fprintf(&ops, " query Q%d {%s }", i, strings.Repeat(" __typename", 15))
		fmt.Fprintf(&chain, " query C%d { ...A }", i)
	}
	chain.WriteString(" fragment A on QueryRoot { ...B } fragment B on QueryRoot { ...C } fragment C on QueryRoot { ...D } fragment D on QueryRoot { __typename }")
	for _, tc := range []struct{ name, query, op, code string }{
		{"seven operations of 15 fields", ops.String(), "Q0", "MAX_FIELDS_EXCEEDED"},
		{"seven operations spreading a chain of 4 fragments", chain.String(), "C0", "MAX_FRAGMENT_SPREADS_EXCEEDED"},
	} {
		req := fmt.Sprintf(`{"query": %q, "operationName": %q}`, tc.query, tc.op)
		status, body := post(t, h, &s, "application/json", req)
		if r := decode(t, body); status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != tc.code {
			t.Errorf("%s: got %d %.300s, want %s", tc.name, status, body, tc.code)
		}
	}
}

// TestValidationErrorsAreBounded: fields of one response name with
// different arguments conflict pairwise, so 499 of them (a 14 KB query
// TestValidationErrorsAreBounded: validation reports every pair of fields
// of one response name with different arguments, so the 50 one selection
// may hold answer 1,225 errors (499 of them, before that limit, answered
// 124,251 errors, 30 MB, to a 14 KB query); an answer without data keeps
// the first MaxErrors.
func TestValidationErrorsAreBounded(t *testing.T) {
	h, _ := newTestHandler(t)
	s := allScopes()
	var q strings.Builder
	q.WriteString("{")
	for i := range DefaultLimits.SameName {
		fmt.Fprintf(&q, ` __type(name: "%d") { name }`, i)
	}
	q.WriteString(" }")
	status, body := postJSON(t, h, &s, q.String(), nil)
	r := decode(t, body)
	if status != http.StatusOK || len(r.Errors) == 0 || len(r.Errors) > MaxErrors || r.Data != nil {
		t.Errorf("%d conflicting fields: got %d, %d errors in %d bytes, want 200 with 1 to %d errors", DefaultLimits.SameName, status, len(r.Errors), len(body), MaxErrors)
	}
}

// TestNestedInlineFragmentsAreRefusedBeforeValidation: validation collects
// and compares the fields of each inline fragment's selection again, so 50
// __typename under 990 inline fragments nested within one another (a valid
// query within every other limit) cost it ~100 ms. Refused before it.
func TestNestedInlineFragmentsAreRefusedBeforeValidation(t *testing.T) {
	h, _ := newTestHandler(t)
	s := allScopes()
	q := "{" + strings.Repeat(" ... on QueryRoot {", 990) + strings.Repeat(" __typename", 50) + strings.Repeat(" }", 990) + " }"
	status, body := post(t, h, &s, "application/graphql", q)
	if r := decode(t, body); status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "MAX_FIELDS_EXCEEDED" {
		t.Errorf("got %d %.300s, want MAX_FIELDS_EXCEEDED", status, body)
	}
	q = "{" + strings.Repeat(" ... on QueryRoot {", 3) + strings.Repeat(" __typename", 50) + strings.Repeat(" }", 3) + " }"
	if status, body = post(t, h, &s, "application/graphql", q); status != http.StatusOK || !strings.HasPrefix(string(body), `{"data":`) {
		t.Errorf("50 fields under 3 inline fragments: got %d %.300s, want it answered", status, body)
	}
}
