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

// networkKeys is what README's Throttling section says one IPv6 /48
// holds of the in-memory limiter at most, with the default limits,
// sending from as many /64s as it likes.
const networkKeys = 12_000

// TestOneIPv6NetworkHoldsAtMostItsShareOfLimiterKeys floods every
// unauthenticated operation, as TestOneClientHoldsAFewHundredLimiterKeys
// does, 16 times over, each field from another /64 of one /48, in turn in
// each of its /56s, against a limiter of networkKeys keys. The first
// minute's burst holds the most: ten minutes of it hold no more.
func TestOneIPv6NetworkHoldsAtMostItsShareOfLimiterKeys(t *testing.T) {
	n := startMultipassNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.LimiterKeys = networkKeys
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	seq, host := 0, 0
	next := func() int { seq++; return seq }
	nextHost := func() string { host++; return networkHost((host%256)<<8 | host/256%256) }
	floodFrom := func(count int, field func() string) {
		for range count {
			n.post("mutation { "+field()+" }", nil, fromIP(nextHost()))
		}
	}
	for minute := range 2 {
		burst := 1
		if minute == 0 {
			burst = 4
		}
		floodFrom(16*30*burst, func() string {
			return fmt.Sprintf(`customerRecover(email: "nobody-%d@example.com") { customerUserErrors { code } }`, next())
		})
		floodFrom(16*90, func() string {
			return fmt.Sprintf(`customerAccessTokenCreate(input: {email: "nobody-%d@example.com", password: "wrong-secret-1"}) { customerUserErrors { code } }`, next())
		})
		floodFrom(16*30*burst, func() string {
			return fmt.Sprintf(`customerReset(id: "gid://shopify/Customer/%d", input: {resetToken: "bad", password: "good-secret-9"}) { customerUserErrors { code } }`, 1000+next())
		})
		for range 16 * (3 + 35*(burst-1)) {
			req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/account/reset/%d/%s", n.base, 1000+next(), strings.Repeat("x", 43)), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Forwarded-For", nextHost())
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}
		for range 16 * 3 {
			n.post(createMutation, map[string]any{"input": map[string]any{"email": fmt.Sprintf("new-%d@example.com", next()), "password": "a-new-secret-1"}}, fromIP(nextHost()))
		}
		floodFrom(16*70, func() string {
			return `customerAccessTokenCreateWithMultipass(multipassToken: "AAAA") { customerUserErrors { code } }`
		})
		if full := n.limiterFull(); full > 0 {
			t.Fatalf("minute %d: one /48 filled a limiter of %d keys (%d refusals)", minute, networkKeys, full)
		}
		n.clock.Advance(time.Minute)
	}
}
