package app_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

// startBody sends, on a connection of its own, the head of a webhook
// delivery declaring a body of 1 MiB from ip (through the trusted
// proxy) and sent bytes of it, and keeps the connection.
func startBody(t *testing.T, n *node, ip string, sent int) heldConn {
	t.Helper()
	c := dialNode(t, n)
	head := fmt.Sprintf("POST /webhooks/shopify HTTP/1.1\r\nHost: shop.example\r\nX-Forwarded-For: %s\r\n"+
		"X-Shopify-Topic: orders/create\r\nX-Shopify-Shop-Domain: shop.example\r\nX-Shopify-Hmac-Sha256: forged\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", ip, 1<<20)
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(head + strings.Repeat(" ", sent))); err != nil {
		t.Fatal(err)
	}
	return c
}

// answered reads the status c was answered with before its body was
// whole: 0 when none came within a second and the connection is still
// open, -1 when it was closed without a status to read.
func (c heldConn) answered() int {
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
		return 0
	}
	if err != nil {
		return -1
	}
	resp.Body.Close()
	return resp.StatusCode
}

// awaitHeld waits until the node holds bytes of request bodies, so that
// a body sent next is read after all of those.
func (n *node) awaitHeld(bytes int) {
	n.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for n.metric("storekeep_request_body_bytes_held") != float64(bytes) {
		if time.Now().After(deadline) {
			n.t.Fatalf("the node holds %v bytes of bodies, want %d", n.metric("storekeep_request_body_bytes_held"), bytes)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A body is held as it arrives: clients that send most of a large body
// and keep the rest made the node hold as many bytes as they sent, up to
// every connection's. The bytes of bodies held at once are bounded for
// each client and for the node: a body past either is refused (429 past
// its client's, 503 past the node's) and its bytes given back, while
// other clients' bodies go on.
//
// A refused body is sent one byte past the budget, so that the node has
// read all of it when it answers: bytes it had not read would make its
// close a reset, which may drop the answer before the client reads it.
func TestRequestBodiesHeldAtOnceAreBounded(t *testing.T) {
	const part, perClient, node = 900 << 10, 2 << 20, 3 << 20
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.BodyBytesPerIP, c.BodyBytesInFlight = perClient, node
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	n.setWebhookSecret()
	first := []heldConn{startBody(t, n, "198.51.100.7", part), startBody(t, n, "198.51.100.7", part)}
	n.awaitHeld(2 * part)
	if got := startBody(t, n, "198.51.100.7", perClient-2*part+1).answered(); got != http.StatusTooManyRequests {
		t.Fatalf("a third body from a client holding %d bytes: status %d, want 429", 2*part, got)
	}
	if got := startBody(t, n, "198.51.100.8", part).answered(); got != 0 {
		t.Fatalf("another client's first body was answered %d before it was whole", got)
	}
	n.awaitHeld(3 * part)
	if got := startBody(t, n, "198.51.100.9", node-3*part+1).answered(); got != http.StatusServiceUnavailable {
		t.Fatalf("a body past the node's %d bytes: status %d, want 503", node, got)
	}
	for _, c := range first {
		c.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for startBody(t, n, "198.51.100.9", part).answered() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the bytes of closed connections' bodies were not given back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := n.metric("storekeep_request_bodies_refused_total"); got < 2 {
		t.Errorf("storekeep_request_bodies_refused_total = %v, want at least 2", got)
	}
}

// A GraphQL body past its client's budget is answered as the API answers
// a throttled request, with a JSON error whose code is THROTTLED.
func TestAGraphQLBodyPastItsClientsBudgetIsThrottled(t *testing.T) {
	const part = 250 << 10
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.BodyBytesPerIP = 1 << 20
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	const opening = len(`{"query": "`)
	send := func(spaces int) heldConn {
		c := dialNode(t, n)
		head := fmt.Sprintf("POST /api/2026-10/graphql.json HTTP/1.1\r\nHost: shop.example\r\nX-Forwarded-For: 198.51.100.7\r\n"+
			"X-Shopify-Storefront-Access-Token: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"query\": \"",
			n.public, 256<<10)
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write([]byte(head + strings.Repeat(" ", spaces))); err != nil {
			t.Fatal(err)
		}
		return c
	}
	for i := range 4 {
		if got := send(part).answered(); got != 0 {
			t.Fatalf("body %d of 4 within the budget was answered %d before it was whole", i+1, got)
		}
	}
	n.awaitHeld(4 * (opening + part))
	c := send(1<<20 - 4*(opening+part) + 1 - opening)
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("a fifth body past the client's budget had no answer: %v", err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusTooManyRequests ||
		len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "THROTTLED" {
		t.Fatalf("a fifth body past the client's budget: status %d, %+v, %v; want 429 and THROTTLED", resp.StatusCode, out.Errors, err)
	}
}
