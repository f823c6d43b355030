package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/server"
	"github.com/storekeep/storekeep/password"
)

// Enumeration timing is judged only by comparing the two groups of one
// interleaved run, never against absolute times. Either of two bounds
// fails the test:
//
//   - the medians differ by more than 15 % of the smaller one or 0.5 ms,
//     whichever is larger (a noisy two-core CI machine moves both groups
//     together, since their samples alternate in random order);
//   - the two-sample Kolmogorov–Smirnov statistic exceeds ksLimit. For
//     n = m = 500 the 0.1 % critical value is 0.12 (0.14 for 400), and
//     identical distributions exceed 0.2 with a probability below 1e-6, so
//     scheduler noise, which falls on both groups alike, cannot fail the
//     test; paths that do different work score 0.6 to 1.0 (BENCHMARKS.md).
const (
	enumerationSamples = 500
	loginSamples       = 400
	enumerationWarmup  = 50
	medianSlack        = 0.15
	medianFloor        = 500 * time.Microsecond
	ksLimit            = 0.2
)

// lifted removes every throttle a timing run would trip.
func lifted(c *app.Config, s *storekeep.Shop) {
	unthrottled(c, s)
	lots := storekeep.Limit{Count: 1 << 30, Per: time.Hour}
	c.Account.LoginPerIP = lots
	c.Account.FailedLoginsPerEmail = lots
}

// enabledCustomers creates count enabled customers with password pw.
func (n *node) enabledCustomers(count int, pw string) []string {
	n.t.Helper()
	emails := make([]string, count)
	for i := range emails {
		emails[i] = fmt.Sprintf("known%03d@example.com", i)
		if _, err := n.app.Accounts.CreateByAdmin(context.Background(), n.shop, account.CreateInput{Email: emails[i], Password: pw}); err != nil {
			n.t.Fatal(err)
		}
	}
	return emails
}

// timedPost sends one GraphQL request with the private token and returns
// how long the whole exchange took and the answer's status and body.
func (n *node) timedPost(client *http.Client, query string, vars map[string]any) (time.Duration, int, []byte) {
	n.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", n.base+"/api/2026-10/graphql.json", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(server.PrivateTokenHeader, n.private)
	req.Header.Set(server.BuyerIPHeader, "198.51.100.77")
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		n.t.Fatal(err)
	}
	return took, resp.StatusCode, raw
}

// enumerationRun is one interleaved measurement of a known and an unknown
// group of requests.
type enumerationRun struct {
	known, unknown []float64 // milliseconds
}

// measureEnumeration sends samples requests for known and for unknown
// addresses in pairs whose order is drawn at random, after a warm-up, and
// fails the test unless every answer is byte for byte the first one, once
// blank (when not nil) has removed what may differ.
func (n *node) measureEnumeration(query string, vars func(email string, i int) map[string]any, known, unknown []string, samples int, blank func(raw []byte, email string) []byte) enumerationRun {
	n.t.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	var want []byte
	send := func(email string, i int) float64 {
		took, status, raw := n.timedPost(client, query, vars(email, i))
		if blank != nil {
			raw = blank(raw, email)
		}
		if want == nil {
			want = raw
		}
		if status != http.StatusOK || !bytes.Equal(raw, want) {
			n.t.Fatalf("answers differ (%s, status %d):\n%s\n%s", email, status, raw, want)
		}
		return float64(took) / float64(time.Millisecond)
	}
	var run enumerationRun
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range samples + enumerationWarmup {
		k, u := known[i%len(known)], unknown[i%len(unknown)]
		var tk, tu float64
		if rng.IntN(2) == 0 {
			tk, tu = send(k, i), send(u, i)
		} else {
			tu, tk = send(u, i), send(k, i)
		}
		if i >= enumerationWarmup {
			run.known = append(run.known, tk)
			run.unknown = append(run.unknown, tu)
		}
	}
	return run
}

// judge fails t when the two groups are told apart by their medians or by
// the Kolmogorov–Smirnov statistic, and logs the figures either way.
func (r enumerationRun) judge(t *testing.T, what string) {
	t.Helper()
	mk, mu := median(r.known), median(r.unknown)
	d := ksStatistic(r.known, r.unknown)
	diff := math.Abs(mk - mu)
	bound := math.Max(medianSlack*math.Min(mk, mu), float64(medianFloor)/float64(time.Millisecond))
	t.Logf("%s: known median %.3f ms, unknown median %.3f ms, difference %.3f ms (%.1f %%), KS D = %.3f over %d+%d samples",
		what, mk, mu, mk-mu, 100*(mk-mu)/mu, d, len(r.known), len(r.unknown))
	if diff > bound {
		t.Errorf("%s: medians differ by %.3f ms, more than %.3f ms", what, diff, bound)
	}
	if d > ksLimit {
		t.Errorf("%s: KS statistic %.3f exceeds %.2f: the timings of known and unknown addresses are distinguishable", what, d, ksLimit)
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ksStatistic is the two-sample Kolmogorov–Smirnov statistic: the largest
// distance between the empirical distribution functions of a and b.
func ksStatistic(a, b []float64) float64 {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	var i, j int
	var d float64
	for i < len(x) && j < len(y) {
		v := math.Min(x[i], y[j])
		for i < len(x) && x[i] <= v {
			i++
		}
		for j < len(y) && y[j] <= v {
			j++
		}
		d = math.Max(d, math.Abs(float64(i)/float64(len(x))-float64(j)/float64(len(y))))
	}
	return d
}

func TestKSStatistic(t *testing.T) {
	same := []float64{1, 2, 3, 4}
	if d := ksStatistic(same, same); d != 0 {
		t.Errorf("identical samples: D = %v", d)
	}
	if d := ksStatistic([]float64{1, 2}, []float64{3, 4}); d != 1 {
		t.Errorf("disjoint samples: D = %v", d)
	}
	if d := ksStatistic([]float64{1, 2, 3, 4}, []float64{3, 4, 5, 6}); d != 0.5 {
		t.Errorf("half overlap: D = %v", d)
	}
}

func unknownEmails(count int) []string {
	emails := make([]string, count)
	for i := range emails {
		emails[i] = fmt.Sprintf("nobody%03d@example.com", i)
	}
	return emails
}

func TestRecoverTimingDoesNotRevealWhetherAnAccountExists(t *testing.T) {
	if testing.Short() {
		t.Skip("timing measurement")
	}
	n := startNode(t, lifted)
	known := n.enabledCustomers(50, "first-secret-1")
	run := n.measureEnumeration(recoverMutation, func(email string, _ int) map[string]any {
		return map[string]any{"email": email}
	}, known, unknownEmails(50), enumerationSamples, nil)
	run.judge(t, "customerRecover")
}

func TestLoginTimingDoesNotRevealWhetherAnAccountExists(t *testing.T) {
	if testing.Short() {
		t.Skip("timing measurement")
	}
	n := startNode(t, lifted)
	known := n.enabledCustomers(20, "first-secret-1")
	run := n.measureEnumeration(loginMutation, func(email string, i int) map[string]any {
		return map[string]any{"input": map[string]any{"email": email, "password": fmt.Sprintf("wrong-secret-%d", i)}}
	}, known, unknownEmails(20), loginSamples, nil)
	run.judge(t, "customerAccessTokenCreate")
}

// Hashes made before the operator raised the hash settings (or imported)
// are cheaper to check than the current ones, which an unknown address's
// decoy is made with: a wrong password for such an account still takes
// the time an unknown address's does.
func TestLoginTimingDoesNotRevealAccountsWithHashesFromFormerSettings(t *testing.T) {
	if testing.Short() {
		t.Skip("timing measurement")
	}
	current := password.Params{Memory: 4 * fastHashing.Memory, Time: 2 * fastHashing.Time, Threads: 1}
	n := startNode(t, lifted, func(c *app.Config, _ *storekeep.Shop) { c.HashParams = current })
	known := n.enabledCustomers(20, "first-secret-1")
	former, err := password.NewHasher(fastHashing, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, email := range known {
		c, err := n.app.Store.CustomerByEmail(ctx, n.shop.ID, email)
		if err != nil {
			t.Fatal(err)
		}
		old, err := former.Hash(ctx, "first-secret-1")
		if err != nil {
			t.Fatal(err)
		}
		if err := n.app.Store.ReplacePasswordHash(ctx, n.shop.ID, c.ID, c.PasswordHash, old); err != nil {
			t.Fatal(err)
		}
	}
	run := n.measureEnumeration(loginMutation, func(email string, i int) map[string]any {
		return map[string]any{"input": map[string]any{"email": email, "password": fmt.Sprintf("wrong-secret-%d", i)}}
	}, known, unknownEmails(20), loginSamples, nil)
	run.judge(t, "customerAccessTokenCreate with hashes from former settings")
}

// In a private shop a sign-up with a taken address does the work of one
// with a new address: a hash, a lookup and one write (a used-up id instead
// of the customer row), and an outbox row for the first attempt at each
// address. Every new address is fresh; the answers are compared without
// the echoed address and the id.
func TestSignUpTimingDoesNotRevealWhetherAnAccountExists(t *testing.T) {
	if testing.Short() {
		t.Skip("timing measurement")
	}
	n := startNode(t, lifted)
	known := n.enabledCustomers(20, "first-secret-1")
	fresh := make([]string, loginSamples+enumerationWarmup)
	for i := range fresh {
		fresh[i] = fmt.Sprintf("new%04d@example.com", i)
	}
	gid := regexp.MustCompile(`gid://shopify/Customer/[0-9]+`)
	run := n.measureEnumeration(createMutation, func(email string, i int) map[string]any {
		return map[string]any{"input": map[string]any{"email": email, "password": fmt.Sprintf("signup-secret-%d", i)}}
	}, known, fresh, loginSamples, func(raw []byte, email string) []byte {
		return gid.ReplaceAll(bytes.ReplaceAll(raw, []byte(email), []byte("EMAIL")), []byte("ID"))
	})
	run.judge(t, "customerCreate")
}

// untilThrottled sends request(i) until an answer is THROTTLED and returns
// how many were answered before it and the throttled answer's body.
func untilThrottled(t *testing.T, request func(i int) gqlResponse) (int, []byte) {
	t.Helper()
	for i := range 50 {
		r := request(i)
		if r.Status != http.StatusOK {
			t.Fatalf("status %d: %s", r.Status, r.Raw)
		}
		if len(r.Errors) > 0 && r.Errors[0].Extensions["code"] == "THROTTLED" {
			return i, r.Raw
		}
	}
	t.Fatal("never throttled")
	return 0, nil
}

func TestThrottledAnswersDoNotRevealWhetherAnAccountExists(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Recovery.RecoverPerIP = storekeep.Limit{Count: 2, Per: 10 * time.Minute}
	})
	n.signUp("known@example.com", "first-secret-1")
	type answer struct {
		count int
		raw   []byte
	}
	cases := []struct {
		name    string
		request func(email string, ip int, i int) gqlResponse
	}{
		{"customerRecover per address", func(email string, ip, i int) gqlResponse {
			return n.post(recoverMutation, map[string]any{"email": email}, privateAs(n, fmt.Sprintf("203.0.%d.%d", ip, i+1)))
		}},
		{"customerRecover per IP", func(email string, ip, i int) gqlResponse {
			if i < 2 {
				email = fmt.Sprintf("filler%d-%d@example.com", ip, i)
			}
			return n.post(recoverMutation, map[string]any{"email": email}, privateAs(n, fmt.Sprintf("198.51.%d.1", ip)))
		}},
		{"customerAccessTokenCreate per address", func(email string, ip, i int) gqlResponse {
			return n.post(loginMutation, map[string]any{"input": map[string]any{"email": email, "password": "wrong-secret-1"}},
				privateAs(n, fmt.Sprintf("192.0.%d.%d", ip, i+1)))
		}},
	}
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []answer
			for ei, email := range []string{"known@example.com", "ghost@example.com"} {
				count, raw := untilThrottled(t, func(i int) gqlResponse { return c.request(email, 10*ci+ei, i) })
				got = append(got, answer{count, raw})
			}
			if got[0].count != got[1].count || !bytes.Equal(got[0].raw, got[1].raw) {
				t.Fatalf("known address throttled after %d with %s\nunknown after %d with %s", got[0].count, got[0].raw, got[1].count, got[1].raw)
			}
			t.Logf("both throttled after %d: %s", got[0].count, got[0].raw)
		})
	}
}

// benchmarkEnumeration measures one request for a known and for an unknown
// address, sequentially over one connection, as an attacker would.
func benchmarkEnumeration(b *testing.B, query string, vars func(email string, i int) map[string]any) {
	n := startNode(b, lifted)
	groups := map[string][]string{"known": n.enabledCustomers(20, "first-secret-1"), "unknown": unknownEmails(20)}
	for _, name := range []string{"known", "unknown"} {
		b.Run(name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			defer client.CloseIdleConnections()
			emails := groups[name]
			for i := 0; b.Loop(); i++ {
				if _, status, raw := n.timedPost(client, query, vars(emails[i%len(emails)], i)); status != http.StatusOK {
					b.Fatalf("status %d: %s", status, raw)
				}
			}
		})
	}
}

func BenchmarkRecoverEnumeration(b *testing.B) {
	benchmarkEnumeration(b, recoverMutation, func(email string, _ int) map[string]any {
		return map[string]any{"email": email}
	})
}

func BenchmarkLoginEnumeration(b *testing.B) {
	benchmarkEnumeration(b, loginMutation, func(email string, i int) map[string]any {
		return map[string]any{"input": map[string]any{"email": email, "password": fmt.Sprintf("wrong-secret-%d", i)}}
	})
}
