package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep/internal/server"
)

// sendHeader posts a failed sign-in with exactly the header lines of h:
// a name given several values is sent as several lines.
func (n *node) sendHeader(t *testing.T, h http.Header) int {
	t.Helper()
	body := `{"query": "mutation { customerAccessTokenCreate(input: {email: \"nobody@example.com\", password: \"wrong-secret-1\"}) { customerUserErrors { code } } }"}`
	req, err := http.NewRequest("POST", n.base+"/api/2026-10/graphql.json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// auditedIP waits for the node's first audit row and returns its IP.
func (n *node) auditedIP(t *testing.T) string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if events, _ := n.auditRows(); len(events) > 0 {
			return events[0].IP
		}
	}
	t.Fatal("no audit row for a failed sign-in")
	return ""
}

// TestATokenHeaderGivenTwiceIsNoToken: a proxy that adds the shop's token
// to a request that already had one, or a client that sends two, leaves
// two lines; which one a server reads differs from server to server
// (Rack, under Shopify, joins them into one value that is no token).
// Neither is taken: the answer is the 401 of a bad token, whichever comes
// first, and with one line the token works.
func TestATokenHeaderGivenTwiceIsNoToken(t *testing.T) {
	n := startNode(t)
	pub, priv := server.PublicTokenHeader, server.PrivateTokenHeader
	for name, h := range map[string]http.Header{
		"public, good then bad":  {pub: {n.public, "not-a-token"}},
		"public, bad then good":  {pub: {"not-a-token", n.public}},
		"public, good twice":     {pub: {n.public, n.public}},
		"private, good then bad": {priv: {n.private, "not-a-token"}},
		"private, good twice":    {priv: {n.private, n.private}},
	} {
		if got := n.sendHeader(t, h); got != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, got)
		}
	}
	for name, h := range map[string]http.Header{"public": {pub: {n.public}}, "private": {priv: {n.private}}} {
		if got := n.sendHeader(t, h); got != http.StatusOK {
			t.Errorf("one %s token: %d, want 200", name, got)
		}
	}
}

// TestBuyerIPIsBelievedOnlyWhenItIsOneAddress: with a private token the
// client IP is Shopify-Storefront-Buyer-IP's, when that is one address. A
// list, or the header given twice (a proxy that appends the buyer's
// address to a request whose client sent one first), names no one buyer,
// and the request is counted under the connection's address, so a buyer
// cannot pick the address its requests are throttled under. A mapped IPv4
// address is the IPv4 address, and an IPv6 zone is dropped.
func TestBuyerIPIsBelievedOnlyWhenItIsOneAddress(t *testing.T) {
	tests := []struct {
		name  string
		buyer []string
		want  string
	}{
		{"one address", []string{"198.51.100.7"}, "198.51.100.7"},
		{"header twice", []string{"198.51.100.7", "203.0.113.9"}, "127.0.0.1"},
		{"same address twice", []string{"198.51.100.7", "198.51.100.7"}, "127.0.0.1"},
		{"a list", []string{"198.51.100.7, 203.0.113.9"}, "127.0.0.1"},
		{"mapped IPv4", []string{"::ffff:198.51.100.8"}, "198.51.100.8"},
		{"IPv6 zone", []string{"fe80::1%eth0"}, "fe80::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := startNode(t)
			if got := n.sendHeader(t, http.Header{server.PrivateTokenHeader: {n.private}, server.BuyerIPHeader: tt.buyer}); got != http.StatusOK {
				t.Fatalf("status %d", got)
			}
			if got := n.auditedIP(t); got != tt.want {
				t.Fatalf("audited under %q, want %q", got, tt.want)
			}
		})
	}
}
