package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/server"
)

func TestRecoverValidatesTheEmail(t *testing.T) {
	n := startNode(t)
	cases := []struct{ email, code string }{
		{"", "BLANK"},
		{"   ", "BLANK"},
		{"not-an-email", "INVALID"},
		{"Ada <ada@example.com>", "INVALID"},
	}
	for _, c := range cases {
		_, p := n.recover(c.email)
		if len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != c.code || !reflect.DeepEqual(p.CustomerUserErrors[0].Field, []string{"email"}) {
			t.Errorf("%q: %+v", c.email, p)
		}
	}
}

func TestPrivateModeAnswersUnknownEmailsLikeKnownOnesAndSendsNothing(t *testing.T) {
	n := startNode(t)
	n.signUp("known@example.com", "first-secret-1")
	known, _ := n.recover("known@example.com")
	n.resetURL("known@example.com", 1)
	unknown, _ := n.recover("nobody@example.com")
	if !bytes.Equal(known.Raw, unknown.Raw) || known.Status != unknown.Status {
		t.Fatalf("answers differ:\n%s\n%s", known.Raw, unknown.Raw)
	}
	n.recover("known@example.com")
	n.resetURL("known@example.com", 2)
	for _, m := range n.smtp.Messages() {
		if m.To == "nobody@example.com" {
			t.Fatal("mail sent to an unknown address")
		}
	}
}

func TestShopifyModeNamesUnknownAndDisabledCustomers(t *testing.T) {
	n := startNode(t, func(_ *app.Config, s *storekeep.Shop) { s.Enumeration = storekeep.EnumerationShopify })
	_, p := n.recover("nobody@example.com")
	want := userError{"UNIDENTIFIED_CUSTOMER", []string{"email"}, "Could not find customer"}
	if len(p.CustomerUserErrors) != 1 || !reflect.DeepEqual(p.CustomerUserErrors[0], want) {
		t.Fatalf("%+v", p)
	}
	id := n.signUp("off@example.com", "first-secret-1")
	n.disable(id)
	if _, p := n.recover("off@example.com"); len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "CUSTOMER_DISABLED" {
		t.Fatalf("%+v", p)
	}
}

func throttled(t *testing.T, r gqlResponse, field string) bool {
	t.Helper()
	if string(r.Data[field]) != "null" {
		return false
	}
	if len(r.Errors) != 1 {
		t.Fatalf("throttled answer: %s", r.Raw)
	}
	e := r.Errors[0]
	if e.Message != "Resetting password limit exceeded. Please try again later." ||
		!reflect.DeepEqual(e.Path, []any{field}) || !reflect.DeepEqual(e.Extensions, map[string]any{"code": "THROTTLED"}) {
		t.Fatalf("throttled answer is not Shopify's: %s", r.Raw)
	}
	return true
}

func TestRecoverIsThrottledPerEmailWhetherOrNotItExists(t *testing.T) {
	for _, email := range []string{"known@example.com", "ghost@example.com"} {
		t.Run(email, func(t *testing.T) {
			n := startNode(t)
			n.signUp("known@example.com", "first-secret-1")
			for i := range 3 {
				if r, _ := n.recover(email, privateAs(n, fmt.Sprintf("203.0.113.%d", i+1))); throttled(t, r, "customerRecover") {
					t.Fatalf("request %d throttled", i+1)
				}
			}
			r, _ := n.recover(email, privateAs(n, "203.0.113.50"))
			if r.Status != 200 || !throttled(t, r, "customerRecover") {
				t.Fatalf("4th request for one address: %s", r.Raw)
			}
			n.clock.Advance(15 * time.Minute)
			if r, _ := n.recover(email, privateAs(n, "203.0.113.51")); throttled(t, r, "customerRecover") {
				t.Fatal("allowance did not refill")
			}
		})
	}
}

func TestRecoverThrottleCountsEveryAliasedField(t *testing.T) {
	n := startNode(t)
	q := `mutation($e: String!) {
		a: customerRecover(email: $e) { customerUserErrors { code } }
		b: customerRecover(email: $e) { customerUserErrors { code } }
		c: customerRecover(email: $e) { customerUserErrors { code } }
		d: customerRecover(email: $e) { customerUserErrors { code } }
	}`
	r := n.post(q, map[string]any{"e": "alias@example.com"})
	nulls := 0
	for _, k := range []string{"a", "b", "c", "d"} {
		if string(r.Data[k]) == "null" {
			nulls++
		}
	}
	if nulls != 1 || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "THROTTLED" {
		t.Fatalf("4 aliases against a 3-per-address limit: %s", r.Raw)
	}
}

func TestBuyerIPIsHonouredOnlyWithPrivateTokens(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Recovery.RecoverPerIP = storekeep.Limit{Count: 2, Per: 10 * time.Minute}
	})
	spoof := withHeaders(map[string]string{server.BuyerIPHeader: "198.51.100.1"})
	for i := range 2 {
		if r, _ := n.recover(fmt.Sprintf("p%d@example.com", i), spoof); throttled(t, r, "customerRecover") {
			t.Fatalf("public request %d throttled", i)
		}
	}
	spoof2 := withHeaders(map[string]string{server.BuyerIPHeader: "198.51.100.2"})
	if r, _ := n.recover("p2@example.com", spoof2); !throttled(t, r, "customerRecover") {
		t.Fatal("a public token escaped the per-IP limit by naming another buyer IP")
	}
	for i := range 2 {
		if r, _ := n.recover(fmt.Sprintf("q%d@example.com", i), privateAs(n, "198.51.100.9")); throttled(t, r, "customerRecover") {
			t.Fatalf("private request %d throttled", i)
		}
	}
	if r, _ := n.recover("q2@example.com", privateAs(n, "198.51.100.9")); !throttled(t, r, "customerRecover") {
		t.Fatal("the buyer IP's own limit did not apply")
	}
	if r, _ := n.recover("q3@example.com", privateAs(n, "198.51.100.10")); throttled(t, r, "customerRecover") {
		t.Fatal("another buyer behind the same private client was throttled")
	}
}

func TestRequestsWithoutAValidTokenGet401(t *testing.T) {
	n := startNode(t)
	cases := map[string]map[string]string{
		"no token":                       {server.PublicTokenHeader: ""},
		"unknown token":                  {server.PublicTokenHeader: "nope"},
		"private token in public header": {server.PublicTokenHeader: n.private},
		"public token in private header": {server.PublicTokenHeader: "", server.PrivateTokenHeader: n.public},
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			r := n.post(recoverMutation, map[string]any{"email": "x@example.com"}, withHeaders(h))
			if r.Status != 401 || len(r.Errors) != 1 || r.Data != nil {
				t.Fatalf("%d %s", r.Status, r.Raw)
			}
		})
	}
}

func TestAPIVersionsFollowShopifysRules(t *testing.T) {
	n := startNode(t)
	supported := server.SupportedVersions(n.clock.Now())
	for _, c := range []struct{ asked, answered string }{
		{supported[3], supported[3]},
		{"unstable", "unstable"},
		{"2020-01", supported[0]},
	} {
		r := n.post(recoverMutation, map[string]any{"email": "v@example.com"}, func(r *request) { r.version = c.asked })
		if r.Status != 200 || r.Header.Get("X-Shopify-API-Version") != c.answered {
			t.Errorf("%s: status %d answered by %q, want %q", c.asked, r.Status, r.Header.Get("X-Shopify-API-Version"), c.answered)
		}
	}
	r := n.post(recoverMutation, map[string]any{"email": "v@example.com"}, func(r *request) { r.version = "2026-13" })
	if r.Status != 404 {
		t.Errorf("malformed version: %d", r.Status)
	}
}

func TestMissingScopeIsAccessDenied(t *testing.T) {
	n := startNode(t)
	readOnly := n.apiToken(storekeep.APITokenPublic, storekeep.ScopeReadCustomers)
	r := n.post(recoverMutation, map[string]any{"email": "x@example.com"}, withHeaders(map[string]string{server.PublicTokenHeader: readOnly}))
	want := `{"message":"Access denied for customerRecover field. Required access: ` + "`unauthenticated_write_customers`" + ` access scope.","path":["customerRecover"],"extensions":{"code":"ACCESS_DENIED","documentation":"https://shopify.dev/api/usage/access-scopes","requiredAccess":"` + "`unauthenticated_write_customers`" + ` access scope."}}`
	var body struct {
		Data   map[string]any    `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	json.Unmarshal(r.Raw, &body)
	if r.Status != 200 || body.Data["customerRecover"] != nil || len(body.Errors) != 1 || !jsonEqual(body.Errors[0], []byte(want)) {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	writeOnly := n.apiToken(storekeep.APITokenPublic, storekeep.ScopeWriteCustomers)
	r = n.post(customerQuery, map[string]any{"token": "x"}, withHeaders(map[string]string{server.PublicTokenHeader: writeOnly}))
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "ACCESS_DENIED" || r.Errors[0].Extensions["requiredAccess"] != "`unauthenticated_read_customers` access scope." {
		t.Fatalf("%s", r.Raw)
	}
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}
