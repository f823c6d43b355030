package app_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

// networkHost is the i-th /64 (i < 65,536) of the /48 2001:db8:77::/48:
// the high byte of i picks the /56, the low byte the /64 within it.
func networkHost(i int) string { return fmt.Sprintf("2001:db8:77:%x::1", i) }

// fromIP sends a request as if through a trusted proxy from ip.
func fromIP(ip string) func(*request) {
	return withHeaders(map[string]string{"X-Forwarded-For": ip})
}

// perIPOperations sends, from ip, a request that each per-IP limit counts,
// as many times as one request can; i numbers the request, so that each
// names addresses and customer ids of its own.
var perIPOperations = []struct {
	name string
	send func(n *node, ip string, i int)
}{
	{"customerRecover", func(n *node, ip string, i int) {
		n.post(aliased(5, func(a int) string {
			return fmt.Sprintf(`customerRecover(email: "someone-%d-%d@example.com") { customerUserErrors { code } }`, i, a)
		}), nil, fromIP(ip))
	}},
	{"customerAccessTokenCreate", func(n *node, ip string, i int) {
		n.post(aliased(5, func(a int) string {
			return fmt.Sprintf(`customerAccessTokenCreate(input: {email: "someone-%d-%d@example.com", password: "wrong-secret-1"}) { customerUserErrors { code } }`, i, a)
		}), nil, fromIP(ip))
	}},
	{"customerReset", func(n *node, ip string, i int) {
		n.post(aliased(5, func(a int) string {
			return fmt.Sprintf(`customerReset(id: "gid://shopify/Customer/%d", input: {resetToken: "bad", password: "good-secret-9"}) { customerUserErrors { code } }`, 1000+10*i+a)
		}), nil, fromIP(ip))
	}},
	{"customerCreate", func(n *node, ip string, i int) {
		n.post(createMutation, map[string]any{"input": map[string]any{"email": fmt.Sprintf("new-%d@example.com", i), "password": "a-new-secret-1"}}, fromIP(ip))
	}},
	{"customerAccessTokenCreateWithMultipass", func(n *node, ip string, i int) {
		n.post(aliased(5, func(int) string {
			return `customerAccessTokenCreateWithMultipass(multipassToken: "AAAA") { customerUserErrors { code } }`
		}), nil, fromIP(ip))
	}},
	{"hosted reset link", func(n *node, ip string, i int) {
		req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/account/reset/%d/%s", n.base, 1000+i, strings.Repeat("x", 43)), nil)
		if err != nil {
			n.t.Fatal(err)
		}
		req.Header.Set("X-Forwarded-For", ip)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			n.t.Fatal(err)
		}
		resp.Body.Close()
	}},
	{"forged order webhook", func(n *node, ip string, i int) {
		n.postWebhook(http.MethodPost, "orders/create", "", "forged", []byte(`{"order_number": 1}`), "X-Forwarded-For", ip)
	}},
}

// aliased is a mutation of count aliased calls of field(a).
func aliased(count int, field func(a int) string) string {
	var b strings.Builder
	b.WriteString("mutation {")
	for a := range count {
		fmt.Fprintf(&b, " a%d: %s", a, field(a))
	}
	b.WriteString(" }")
	return b.String()
}

// everyPerIPLimit sets each per-IP limit to perIP an hour.
func everyPerIPLimit(perIP int) func(*app.Config, *storekeep.Shop) {
	return func(c *app.Config, _ *storekeep.Shop) {
		l := storekeep.Limit{Count: perIP, Per: time.Hour}
		c.Recovery.RecoverPerIP, c.Recovery.FailedTokensPerIP = l, l
		c.Account.LoginPerIP, c.Account.CreatePerIP = l, l
		c.Orders.BadSignaturesPerIP = l
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	}
}

// A host is given a /64, but a home is given a /56 and a tunnel broker
// gives anyone a /48: 65,536 /64s, each a client to a per-IP limit that
// counted only the /64. Sending each request from another /64 of one /48,
// such a holder made counters without end and filled the limiter, which
// then throttled every new client. A /48's hosts now share 16 clients'
// allowance (a /56's 4), counted before any /64's counter is made, so the
// holder fills nothing and a newcomer is served.
func TestOneIPv6NetworkCannotFillTheLimiter(t *testing.T) {
	const perIP, keys, hosts = 4, 400, 600
	for _, op := range perIPOperations {
		t.Run(op.name, func(t *testing.T) {
			n := startMultipassNode(t, everyPerIPLimit(perIP), func(c *app.Config, _ *storekeep.Shop) { c.LimiterKeys = keys })
			n.setWebhookSecret()
			for i := range hosts {
				op.send(n, networkHost(i), i)
			}
			if full := n.limiterFull(); full > 0 {
				t.Fatalf("one /48, from %d /64s, filled a limiter of %d keys (%d refusals)", hosts, keys, full)
			}
			if r, _ := n.recover("newcomer@example.com", fromIP("198.51.100.9")); isThrottled(r, "customerRecover", recoverThrottle) {
				t.Fatalf("a newcomer was throttled after the flood: %s", r.Raw)
			}
		})
	}
}

// What a /48 and a /56 share, as README states it: a /56's hosts 4
// clients' allowance, a /48's 16, and a host that spends its own /64's
// allowance spends no more of its networks', so one host cannot throttle
// its neighbours.
func TestAnIPv6NetworksHostsShareSomeClientsAllowance(t *testing.T) {
	const perIP = 3
	n := startNode(t, everyPerIPLimit(perIP))
	accepted := func(ip string, requests int) int {
		ok := 0
		for i := range requests {
			r, _ := n.recover(fmt.Sprintf("share-%s-%d@example.com", strings.ReplaceAll(ip, ":", "-"), i), fromIP(ip))
			if !isThrottled(r, "customerRecover", recoverThrottle) {
				ok++
			}
		}
		return ok
	}
	if got := accepted("2001:db8:77::1", 20); got != perIP {
		t.Fatalf("one /64 had %d recovers accepted, want its own %d", got, perIP)
	}
	if got := accepted("2001:db8:77:1::1", 1); got != 1 {
		t.Fatalf("a neighbouring /64, after the first spent its own: %d accepted, want 1", got)
	}
	site := 0
	for i := range 16 {
		site += accepted(fmt.Sprintf("2001:db8:77:%x::1", 2+i), perIP)
	}
	if want := 4*perIP - perIP - 1; site != want {
		t.Fatalf("the rest of one /56, from 16 more /64s: %d accepted, want %d (4 clients' allowance)", site, want)
	}
	network := 0
	for s := range 8 {
		for h := range 4 {
			network += accepted(fmt.Sprintf("2001:db8:77:%x::1", (s+1)<<8|h), perIP)
		}
	}
	if want := 16*perIP - 4*perIP; network != want {
		t.Fatalf("the rest of one /48, from 8 more /56s: %d accepted, want %d (16 clients' allowance)", network, want)
	}
	if got := accepted("2001:db8:78::1", perIP); got != perIP {
		t.Fatalf("another /48: %d accepted, want %d", got, perIP)
	}
	if got := accepted("198.51.100.7", perIP); got != perIP {
		t.Fatalf("an IPv4 client: %d accepted, want %d", got, perIP)
	}
}
