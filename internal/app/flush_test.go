package app_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/server"
)

const (
	attackerIP      = "203.0.113.66"
	recoverThrottle = "Resetting password limit exceeded. Please try again later."
)

// aliasedResets is one request of count customerReset calls, each naming a
// random customer id with a bad token.
func aliasedResets(count int) string {
	var b strings.Builder
	b.WriteString("mutation {")
	for i := range count {
		id, _ := rand.Int(rand.Reader, big.NewInt(1<<53))
		fmt.Fprintf(&b, ` r%d: customerReset(id: "gid://shopify/Customer/%d", input: {resetToken: "bad-%d", password: "good-secret-9"}) { customerUserErrors { code } }`,
			i, id.Int64()+1, i)
	}
	b.WriteString(" }")
	return b.String()
}

// floodResets sends requests requests of 30 aliased bad-token resets from
// ip, with headers added to each.
func (n *node) floodResets(ip string, requests int, headers map[string]string) {
	n.t.Helper()
	for range requests {
		h := map[string]string{server.PublicTokenHeader: "", server.PrivateTokenHeader: n.private, server.BuyerIPHeader: ip}
		for k, v := range headers {
			h[k] = v
		}
		if r := n.post(aliasedResets(30), nil, withHeaders(h)); r.Status != http.StatusOK {
			n.t.Fatalf("flood request: %d %s", r.Status, r.Raw)
		}
	}
}

// throttleLimits are small enough for a test to use up.
func throttleLimits(c *app.Config) {
	c.Recovery.RecoverPerIP = storekeep.Limit{Count: 3, Per: 10 * time.Minute}
	c.Recovery.RecoverPerEmail = storekeep.Limit{Count: 3, Per: 15 * time.Minute}
	c.Recovery.FailedTokensPerIP = storekeep.Limit{Count: 20, Per: time.Hour}
	c.Account.FailedLoginsPerEmail = storekeep.Limit{Count: 3, Per: 15 * time.Minute}
}

// victimThrottled uses up, from the attacker's IP, the victim's recover
// allowance, the IP's recover allowance and the victim's failed sign-ins.
func (n *node) victimThrottled(victim string) {
	n.t.Helper()
	for range 3 {
		if r, p := n.recover(victim, privateAs(n, attackerIP)); len(r.Errors) > 0 || len(p.CustomerUserErrors) > 0 {
			n.t.Fatalf("recover within the allowance: %s", r.Raw)
		}
		if _, p := n.loginAs(victim, "wrong-guess-1", attackerIP); p.CustomerAccessToken != nil {
			n.t.Fatal("a wrong password signed in")
		}
	}
	n.checkVictimStillThrottled(victim, "before the flood")
}

// checkVictimStillThrottled checks that the allowances victimThrottled used
// up are still used up.
func (n *node) checkVictimStillThrottled(victim, when string) {
	n.t.Helper()
	if r, _ := n.recover(victim, privateAs(n, "198.51.100.20")); !isThrottled(r, "customerRecover", recoverThrottle) {
		n.t.Errorf("%s: the victim's per-address recover allowance is fresh again: %s", when, r.Raw)
	}
	if r, _ := n.recover("someone-else@example.com", privateAs(n, attackerIP)); !isThrottled(r, "customerRecover", recoverThrottle) {
		n.t.Errorf("%s: the attacker IP's recover allowance is fresh again: %s", when, r.Raw)
	}
	if r, _ := n.loginAs(victim, "first-secret-1", "198.51.100.21"); !isThrottled(r, "customerAccessTokenCreate", loginThrottled) {
		n.t.Errorf("%s: the victim's failed sign-ins were forgotten: %s", when, r.Raw)
	}
}

// limiterFull reads storekeep_limiter_full_total from the node's registry.
func (n *node) limiterFull() int {
	n.t.Helper()
	return int(n.metric("storekeep_limiter_full_total"))
}

// metric reads the unlabelled series name from the node's registry.
func (n *node) metric(name string) float64 {
	n.t.Helper()
	rec := httptest.NewRecorder()
	n.app.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		n.t.Fatalf("no %s in:\n%s", name, rec.Body.String())
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		n.t.Fatal(err)
	}
	return v
}

// testRedisURL is the Redis of STOREKEEP_TEST_REDIS, or the local one
// under CI; without either the test is skipped.
func testRedisURL(t *testing.T) string {
	if u := os.Getenv("STOREKEEP_TEST_REDIS"); u != "" {
		return u
	}
	if os.Getenv("CI") != "" {
		return "redis://127.0.0.1:6379/0"
	}
	t.Skip("set STOREKEEP_TEST_REDIS (or CI) to run the Redis tests")
	return ""
}

// redisKeys connects to url and returns a fresh key prefix and a function
// counting the limiter's keys under it that match pattern; the keys are
// deleted when the test ends.
func redisKeys(t *testing.T, url string) (prefix string, count func(pattern string) int) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opts)
	b := make([]byte, 8)
	rand.Read(b)
	prefix = "storekeep-test:" + hex.EncodeToString(b) + ":"
	ctx := context.Background()
	keys := func(pattern string) []string {
		var all []string
		iter := client.Scan(ctx, 0, "rate:"+prefix+pattern, 1000).Iterator()
		for iter.Next(ctx) {
			all = append(all, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Fatal(err)
		}
		return all
	}
	t.Cleanup(func() {
		if all := keys("*"); len(all) > 0 {
			client.Del(ctx, all...)
		}
		client.Close()
	})
	return prefix, func(pattern string) int { return len(keys(pattern)) }
}

// unreachableRedis is a redis:// URL of a loopback port nothing listens on.
func unreachableRedis(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "redis://" + ln.Addr().String() + "/0"
}

// TestOneClientCannotFlushAnotherKeysThrottles floods the limiter from one
// IP with bad-token resets naming random customer ids, 300 of them against
// a limiter that holds 64 keys, and checks that no allowance used up
// before the flood is fresh after it.
func TestOneClientCannotFlushAnotherKeysThrottles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		redis func(t *testing.T, c *app.Config) (countKeys func(string) int)
	}{
		{"memory", nil},
		{"redis", func(t *testing.T, c *app.Config) func(string) int {
			c.Redis = testRedisURL(t)
			var count func(string) int
			c.RedisPrefix, count = redisKeys(t, c.Redis)
			return count
		}},
		{"redis down", func(t *testing.T, c *app.Config) func(string) int {
			c.Redis = unreachableRedis(t)
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var countKeys func(string) int
			n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
				throttleLimits(c)
				c.LimiterKeys = 64
				if tc.redis != nil {
					countKeys = tc.redis(t, c)
				}
			})
			n.signUp("victim@example.com", "first-secret-1")
			n.victimThrottled("victim@example.com")

			n.floodResets(attackerIP, 10, nil)

			n.checkVictimStillThrottled("victim@example.com", "after the flood")
			if countKeys != nil {
				if got := countKeys("badtoken:customer:*"); got > 20 {
					t.Errorf("one IP with an allowance of 20 bad tokens made %d customer counters in Redis", got)
				}
			}
			if r, p := n.recover("bystander@example.com", privateAs(n, "198.51.100.30")); len(r.Errors) > 0 || len(p.CustomerUserErrors) > 0 {
				t.Errorf("a bystander was throttled by a limiter that is not full: %s", r.Raw)
			}
			if got := n.limiterFull(); got != 0 {
				t.Errorf("storekeep_limiter_full_total %d with room to spare", got)
			}
		})
	}
}

// TestAFullLimiterThrottlesNewcomersAndForgetsNoOne fills the in-memory
// limiter, alone and standing in for Redis, and checks that it refuses new
// keys, counts and logs that once, and keeps every key it holds.
func TestAFullLimiterThrottlesNewcomersAndForgetsNoOne(t *testing.T) {
	for _, tc := range []struct {
		name  string
		redis bool
	}{{"memory", false}, {"redis down", true}} {
		t.Run(tc.name, func(t *testing.T) {
			n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
				throttleLimits(c)
				c.Recovery.FailedTokensPerIP = storekeep.Limit{Count: 1000, Per: time.Hour}
				c.LimiterKeys = 16
				if tc.redis {
					c.Redis = unreachableRedis(t)
				}
			})
			n.signUp("victim@example.com", "first-secret-1")
			n.victimThrottled("victim@example.com")

			n.floodResets(attackerIP, 10, nil)

			n.checkVictimStillThrottled("victim@example.com", "after the flood")
			if r, _ := n.recover("newcomer@example.com", privateAs(n, "198.51.100.31")); !isThrottled(r, "customerRecover", recoverThrottle) {
				t.Errorf("a full limiter let a new key in: %s", r.Raw)
			}
			if got := n.limiterFull(); got < 250 {
				t.Errorf("storekeep_limiter_full_total %d after 300 bad tokens against a full limiter", got)
			}
			if got := strings.Count(n.logs.String(), "rate limiter: full"); got != 1 {
				t.Errorf("%d log lines saying the limiter is full, want 1", got)
			}
		})
	}
}
