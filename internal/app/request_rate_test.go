package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

// fromClient sends a request as the client at ip, through the trusted
// proxy on loopback.
func fromClient(ip string) func(*request) {
	return withHeaders(map[string]string{"X-Forwarded-For": ip})
}

// wantThrottledRequest fails unless r is the answer to a request past
// its client's allowance: 429, THROTTLED, and a Retry-After.
func wantThrottledRequest(t *testing.T, r gqlResponse, retryAfter string) {
	t.Helper()
	if r.Status != http.StatusTooManyRequests || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "THROTTLED" || r.Data != nil {
		t.Fatalf("want 429 THROTTLED without data, got %d %s", r.Status, r.Raw)
	}
	if got := r.Header.Get("Retry-After"); got != retryAfter {
		t.Fatalf("Retry-After %q, want %q", got, retryAfter)
	}
}

// Every API request was answered however many one client sent: with 512
// connections one address could take the node's CPUs with queries that
// no throttle counts. A client (an IPv4 address, an IPv6 /64) now sends
// at most --requests-per-ip; past it a request is answered 429 THROTTLED
// with a Retry-After, and runs nothing. Other
// clients go on, and the client again once its allowance refills.
func TestOneClientsRequestsAreBounded(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.RequestsPerIP = storekeep.Limit{Count: 5, Per: time.Minute}
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	const query = `{ __typename }`
	for i := range 5 {
		if r := n.post(query, nil, fromClient("198.51.100.7")); r.Status != http.StatusOK || len(r.Errors) != 0 {
			t.Fatalf("request %d within the allowance: %d %s", i+1, r.Status, r.Raw)
		}
	}
	wantThrottledRequest(t, n.post(query, nil, fromClient("198.51.100.7")), "12")
	signUp := n.post(`mutation { customerCreate(input: {email: "late@example.com", password: "hunter2hunter2"}) { customer { id } } }`,
		nil, fromClient("198.51.100.7"))
	wantThrottledRequest(t, signUp, "12")
	if _, err := n.app.Store.CustomerByEmail(context.Background(), n.shop.ID, "late@example.com"); !errors.Is(err, storekeep.ErrNotFound) {
		t.Fatalf("a throttled sign-up ran: %v", err)
	}
	if r := n.post(query, nil, fromClient("198.51.100.8")); r.Status != http.StatusOK {
		t.Fatalf("another client was throttled: %d %s", r.Status, r.Raw)
	}
	for i := range 5 {
		n.post(query, nil, fromClient(fmt.Sprintf("2001:db8:7:1::%x", i+1)))
	}
	wantThrottledRequest(t, n.post(query, nil, fromClient("2001:db8:7:1:ffff::1")), "12")
	if got := n.metric("storekeep_api_requests_throttled_total"); got != 3 {
		t.Fatalf("storekeep_api_requests_throttled_total %v, want 3", got)
	}
	if logs := n.logs.String(); strings.Count(logs, "--trusted-proxies") != 1 || !strings.Contains(logs, `"client":"198.51.100.7"`) {
		t.Fatalf("want one warning naming the first client refused and --trusted-proxies, got:\n%s", logs)
	}
	n.clock.Advance(12 * time.Second)
	if r := n.post(query, nil, fromClient("198.51.100.7")); r.Status != http.StatusOK {
		t.Fatalf("the client's refilled allowance was refused: %d %s", r.Status, r.Raw)
	}
	wantThrottledRequest(t, n.post(query, nil, fromClient("198.51.100.7")), "12")
}

// A storefront server sends every buyer's requests from its own address:
// with a private token and Shopify-Storefront-Buyer-IP each buyer is a
// client of its own, and the server's own requests (a private token that
// names no buyer) are not counted, whatever the server's address spent
// with a public token.
func TestBuyersBehindAPrivateTokenAreEachTheirOwnClient(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.RequestsPerIP = storekeep.Limit{Count: 3, Per: time.Hour}
	})
	const query = `{ __typename }`
	for range 3 {
		n.post(query, nil, privateAs(n, "203.0.113.9"))
	}
	wantThrottledRequest(t, n.post(query, nil, privateAs(n, "203.0.113.9")), "1200")
	if r := n.post(query, nil, privateAs(n, "203.0.113.10")); r.Status != http.StatusOK {
		t.Fatalf("another buyer was throttled: %d %s", r.Status, r.Raw)
	}
	for range 3 {
		n.post(query, nil)
	}
	wantThrottledRequest(t, n.post(query, nil), "1200")
	for i := range 20 {
		if r := n.post(query, nil, privateAs(n, "")); r.Status != http.StatusOK {
			t.Fatalf("the storefront server's own request %d: %d %s", i+1, r.Status, r.Raw)
		}
	}
	for i := range 20 {
		if r := n.post(query, nil, privateAs(n, "not an address")); r.Status != http.StatusOK {
			t.Fatalf("a request naming no buyer, %d: %d %s", i+1, r.Status, r.Raw)
		}
	}
}

// fullRequestLimiterNode starts a node allowing a client 2 requests an
// hour, whose limiters hold 3 counters, behind a proxy on loopback.
func fullRequestLimiterNode(t *testing.T) *node {
	return startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.RequestsPerIP = storekeep.Limit{Count: 2, Per: time.Hour}
		c.LimiterKeys = 3
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
}

// The counters of the request allowance live in a limiter of their own,
// local to the node, holding at most --limiter-keys: a flood of new
// clients that fills it is let through uncounted (and counted in
// storekeep_request_limiter_full_total), where the throttles' limiter
// would refuse every newcomer, which here would be every new visitor of
// the shop. Clients it holds are counted as ever.
func TestAFullRequestLimiterLetsNewClientsThrough(t *testing.T) {
	n := fullRequestLimiterNode(t)
	const query = `{ __typename }`
	for i := range 3 {
		for range 2 {
			n.post(query, nil, fromClient(fmt.Sprintf("198.51.100.%d", i+1)))
		}
	}
	wantThrottledRequest(t, n.post(query, nil, fromClient("198.51.100.1")), "1800")
	for i := range 10 {
		if r := n.post(query, nil, fromClient("198.51.100.200")); r.Status != http.StatusOK {
			t.Fatalf("a new client's request %d in a full limiter: %d %s", i+1, r.Status, r.Raw)
		}
	}
	if got := n.metric("storekeep_request_limiter_full_total"); got != 10 {
		t.Fatalf("storekeep_request_limiter_full_total %v, want 10", got)
	}
}

// storekeep_request_limiter_full_total counts the requests a full request
// limiter lets through uncounted, but an IPv6 client's request, which
// asks for its /64's counter and its /56's and /48's, counted three.
func TestAFullRequestLimiterCountsAnIPv6RequestOnce(t *testing.T) {
	n := fullRequestLimiterNode(t)
	const query = `{ __typename }`
	for i := range 3 {
		n.post(query, nil, fromClient(fmt.Sprintf("198.51.100.%d", i+1)))
	}
	for i := range 10 {
		if r := n.post(query, nil, fromClient(fmt.Sprintf("2001:db8:%x::1", i+1))); r.Status != http.StatusOK {
			t.Fatalf("a new IPv6 client's request %d in a full limiter: %d %s", i+1, r.Status, r.Raw)
		}
	}
	if got := n.metric("storekeep_request_limiter_full_total"); got != 10 {
		t.Fatalf("storekeep_request_limiter_full_total %v for 10 requests, want 10", got)
	}
}
