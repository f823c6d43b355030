package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

// aliasedUpdates is one operation renaming the customer of token n times
// under n aliases, to First0, First1, ...
func aliasedUpdates(token string, n int) string {
	var b strings.Builder
	b.WriteString("mutation {")
	for i := range n {
		fmt.Fprintf(&b, ` u%d: customerUpdate(customerAccessToken: %q, customer: {firstName: "First%d"}) { customer { firstName } }`, i, token, i)
	}
	b.WriteString(" }")
	return b.String()
}

// One request could run a mutation under 30 aliases, so a client within
// its --requests-per-ip wrote 30 times as often as its allowance says.
// Each field at an operation's root now counts as a request: an
// operation whose root fields pass its client's allowance is refused
// (THROTTLED, with a Retry-After) and runs none of them. A storefront
// server's own requests are not counted, whatever they hold.
func TestEachRootFieldCountsAgainstTheClientsAllowance(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.RequestsPerIP = storekeep.Limit{Count: 10, Per: time.Hour}
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	n.signUp("ada@example.com", "a-long-password-1")
	token := n.login("ada@example.com", "a-long-password-1")
	firstName := func() string {
		t.Helper()
		c, err := n.app.Store.CustomerByEmail(context.Background(), n.shop.ID, "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		return c.FirstName
	}

	r := n.post(aliasedUpdates(token, 30), nil, fromClient("198.51.100.7"))
	if r.Status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "THROTTLED" || r.Data != nil {
		t.Fatalf("30 aliased updates from a client allowed 10 requests: %d %s, want THROTTLED and no data", r.Status, r.Raw)
	}
	if got := r.Header.Get("Retry-After"); got != "360" {
		t.Fatalf("Retry-After %q, want 360", got)
	}
	if got := firstName(); got != "Ada" {
		t.Fatalf("a refused operation renamed the customer to %q", got)
	}

	if r := n.post(aliasedUpdates(token, 5), nil, fromClient("198.51.100.8")); r.Status != http.StatusOK || len(r.Errors) != 0 {
		t.Fatalf("5 aliased updates within another client's allowance: %d %s", r.Status, r.Raw)
	}
	if got := firstName(); !strings.HasPrefix(got, "First") {
		t.Fatalf("after 5 updates within the allowance the name is %q", got)
	}
	r = n.post(aliasedUpdates(token, 6), nil, fromClient("198.51.100.8"))
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "THROTTLED" {
		t.Fatalf("6 more root fields past the allowance's last 5: %d %s, want THROTTLED", r.Status, r.Raw)
	}
	wantThrottledRequest(t, n.post(`{ __typename }`, nil, fromClient("198.51.100.8")), "360")

	for range 3 {
		if r := n.post(aliasedUpdates(token, 30), nil, privateAs(n, "")); r.Status != http.StatusOK || len(r.Errors) != 0 {
			t.Fatalf("the storefront server's own 30 aliased updates: %d %s", r.Status, r.Raw)
		}
	}
	if got := firstName(); got != "First29" {
		t.Fatalf("after the storefront server's updates the name is %q, want First29", got)
	}
}
