package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

// limiterKeysPerClient is what README's Throttling section says one
// client IP (an IPv6 /64) holds of the in-memory limiter at most, at any
// time, with the default limits.
const limiterKeysPerClient = 500

// TestOneClientHoldsAFewHundredLimiterKeys floods every unauthenticated
// operation from one IP, beyond its allowances, for longer than any of
// its counters lives, against a limiter of limiterKeysPerClient keys: it
// is never full, so a newcomer is never refused for want of room. An IPv6
// /48 holds what 16 such clients do and a counter for each /64 and /56 it
// sends from (TestOneIPv6NetworkHoldsAtMostItsShareOfLimiterKeys).
func TestOneClientHoldsAFewHundredLimiterKeys(t *testing.T) {
	n := startMultipassNode(t, func(c *app.Config, _ *storekeep.Shop) { c.LimiterKeys = limiterKeysPerClient })
	seq := 0
	next := func() int { seq++; return seq }
	for minute := range 10 {
		burst := 1
		if minute == 0 {
			burst = 4
		}
		n.flood(30*burst, func(int) string {
			return fmt.Sprintf(`customerRecover(email: "nobody-%d@example.com") { customerUserErrors { code } }`, next())
		})
		n.flood(90, func(int) string {
			return fmt.Sprintf(`customerAccessTokenCreate(input: {email: "nobody-%d@example.com", password: "wrong-secret-1"}) { customerUserErrors { code } }`, next())
		})
		n.flood(30*burst, func(int) string {
			return fmt.Sprintf(`customerReset(id: "gid://shopify/Customer/%d", input: {resetToken: "bad", password: "good-secret-9"}) { customerUserErrors { code } }`, 1000+next())
		})
		for range 3 + 35*(burst-1) {
			get(t, fmt.Sprintf("%s/account/reset/%d/%s", n.base, 1000+next(), strings.Repeat("x", 43)))
		}
		for range 3 {
			n.post(createMutation, map[string]any{"input": map[string]any{"email": fmt.Sprintf("new-%d@example.com", next()), "password": "a-new-secret-1"}})
		}
		n.flood(70, func(int) string {
			return `customerAccessTokenCreateWithMultipass(multipassToken: "AAAA") { customerUserErrors { code } }`
		})
		if full := n.limiterFull(); full > 0 {
			t.Fatalf("minute %d: one client filled a limiter of %d keys (%d refusals)", minute, limiterKeysPerClient, full)
		}
		n.clock.Advance(time.Minute)
	}
}
