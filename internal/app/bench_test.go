package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/secret"
	"github.com/storekeep/storekeep/internal/server"
	"github.com/storekeep/storekeep/password"
)

// unthrottled lifts the recover and sign-up limits so a benchmark
// measures the path, not the limiter's refusals.
func unthrottled(c *app.Config, s *storekeep.Shop) {
	manySignUps(c, s)
	lots := storekeep.Limit{Count: 1 << 30, Per: time.Hour}
	c.Recovery.RecoverPerIP = lots
	c.Recovery.RecoverPerEmail = lots
	c.Recovery.RecoverPerShop = lots
	c.Recovery.FailedTokensPerIP = lots
	c.Recovery.FailedTokensPerCustomer = lots
}

// manySignUps lifts the customerCreate limits, for tests that sign many
// customers up from one address.
func manySignUps(c *app.Config, _ *storekeep.Shop) {
	lots := storekeep.Limit{Count: 1 << 30, Per: time.Hour}
	c.Account.CreatePerIP = lots
	c.Account.CreatePerShop = lots
}

// seed creates count customers directly through the account service.
func (n *node) seed(count int) []string {
	emails := make([]string, count)
	ctx := context.Background()
	for i := range emails {
		emails[i] = fmt.Sprintf("bench%05d@example.com", i)
		if _, err := n.app.Accounts.CreateInvited(ctx, n.shop, account.CreateInput{Email: emails[i]}); err != nil {
			n.t.Fatal(err)
		}
	}
	return emails
}

func postRaw(client *http.Client, url, token string, body []byte) (int, error) {
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(server.PublicTokenHeader, token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out struct {
		Errors []any `json:"errors"`
	}
	json.NewDecoder(resp.Body).Decode(&out)
	if len(out.Errors) > 0 {
		return resp.StatusCode, fmt.Errorf("errors: %v", out.Errors)
	}
	return resp.StatusCode, nil
}

// BenchmarkRecoverOverHTTP measures customerRecover for known customers
// end to end: HTTP, GraphQL, limiter, token, one write transaction.
func BenchmarkRecoverOverHTTP(b *testing.B) {
	n := startNode(b, unthrottled)
	emails := n.seed(1000)
	url := n.base + "/api/2026-10/graphql.json"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var i atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			email := emails[int(i.Add(1))%len(emails)]
			body, _ := json.Marshal(map[string]any{"query": recoverMutation, "variables": map[string]any{"email": email}})
			if status, err := postRaw(client, url, n.public, body); status != 200 || err != nil {
				b.Fatalf("status %d: %v", status, err)
			}
		}
	})
}

// BenchmarkResetOverHTTP measures customerResetByUrl end to end with the
// default argon2id parameters: each iteration redeems a fresh token.
func BenchmarkResetOverHTTP(b *testing.B) {
	n := startNode(b, unthrottled, func(c *app.Config, _ *storekeep.Shop) { c.HashParams = password.DefaultParams })
	emails := n.seed(1)
	ctx := context.Background()
	customer, err := n.app.Store.CustomerByEmail(ctx, n.shop.ID, emails[0])
	if err != nil {
		b.Fatal(err)
	}
	url := n.base + "/api/2026-10/graphql.json"
	client := &http.Client{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		token, _ := n.app.Keys.NewToken()
		now := time.Now().UTC()
		err := n.app.Store.IssueCustomerToken(ctx, storekeep.CustomerToken{
			ShopID: n.shop.ID, CustomerID: customer.ID, Purpose: storekeep.PurposeReset,
			Hash: n.app.Keys.Hash(token), ExpiresAt: now.Add(time.Hour), CreatedAt: now,
		}, storekeep.Mail{ShopID: n.shop.ID, To: customer.Email, Template: storekeep.TemplateReset, MessageID: fmt.Sprintf("<b%d@shop.example>", i), Data: storekeep.MailData{}, CreatedAt: now}, storekeep.AuditEvent{ShopID: n.shop.ID, Kind: storekeep.AuditRecoverRequested, At: now}, 0)

		if err != nil {
			b.Fatal(err)
		}
		link := fmt.Sprintf("https://shop.example/account/reset/%d/%s", customer.ID, token)
		body, _ := json.Marshal(map[string]any{"query": resetByURL, "variables": map[string]any{"url": link, "password": fmt.Sprintf("bench-secret-%d", i)}})
		b.StartTimer()
		if status, err := postRaw(client, url, n.public, body); status != 200 || err != nil {
			b.Fatalf("status %d: %v", status, err)
		}
	}
}

// idleNode is a node whose outbox worker does not run, for measuring the
// answer path alone: its handler, a shop in private mode, a private token
// and count customerRecover bodies for known customers.
type idleNode struct {
	app     *app.App
	private string
	bodies  [][]byte
}

func newIdleNode(tb testing.TB, count int, configure ...func(*app.Config)) *idleNode {
	tb.Helper()
	ctx := context.Background()
	key, _ := secret.NewKey()
	cfg := app.DefaultConfig()
	cfg.DB, cfg.SecretKeys, cfg.HashParams = nodeDB(tb), [][]byte{key}, fastHashing
	cfg.SMTP = "smtp://127.0.0.1:1"
	cfg.Logger = slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	unthrottled(&cfg, nil)
	for _, c := range configure {
		c(&cfg)
	}
	a, err := app.New(ctx, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close() })
	shop, err := a.Store.CreateShop(ctx, storekeep.Shop{Domain: "shop.example", Name: "Bench", Enumeration: storekeep.EnumerationPrivate}, storekeep.ShopSecrets{})
	if err != nil {
		tb.Fatal(err)
	}
	n := &idleNode{app: a, bodies: make([][]byte, count)}
	n.private, _ = a.Keys.NewToken()
	if _, err := a.Store.CreateAPIToken(ctx, storekeep.APIToken{ShopID: shop.ID, Kind: storekeep.APITokenPrivate,
		Scopes: []storekeep.Scope{storekeep.ScopeWriteCustomers}, Hash: a.Keys.Hash(n.private), CreatedAt: time.Now()}); err != nil {
		tb.Fatal(err)
	}
	for i := range n.bodies {
		email := fmt.Sprintf("bench%05d@example.com", i)
		if _, err := a.Accounts.CreateInvited(ctx, shop, account.CreateInput{Email: email}); err != nil {
			tb.Fatal(err)
		}
		n.bodies[i], _ = json.Marshal(map[string]any{"query": recoverMutation, "variables": map[string]any{"email": email}})
	}
	return n
}

// recover sends the i-th recover as storekeep bench does (private token,
// Buyer-IP) through the handler, failing tb unless it is accepted.
func (n *idleNode) recover(tb testing.TB, i int) {
	req := httptest.NewRequest("POST", "/api/2026-10/graphql.json", bytes.NewReader(n.bodies[i%len(n.bodies)]))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "storekeep-bench")
	req.Header.Set(server.PrivateTokenHeader, n.private)
	req.Header.Set(server.BuyerIPHeader, fmt.Sprintf("10.0.%d.%d", i>>8&255, i&255))
	w := httptest.NewRecorder()
	n.app.Handler.ServeHTTP(w, req)
	if w.Code != 200 || !bytes.Contains(w.Body.Bytes(), []byte(`"customerUserErrors":[]`)) {
		tb.Fatalf("status %d: %s", w.Code, w.Body)
	}
}

// BenchmarkRecoverHandler measures one customerRecover as storekeep bench
// sends it (private token, Buyer-IP, private mode) through the node's HTTP
// handler, without the network and with no outbox worker running, so that
// only the answer is measured: middleware, authentication, GraphQL, the
// limiter and the job's insert. Logs go to a JSON handler at info, as
// serve's do, writing to io.Discard.
func BenchmarkRecoverHandler(b *testing.B) {
	n := newIdleNode(b, 100)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n.recover(b, i)
	}
}

// TestAnswersStartNoGoroutinePerRequest counts the goroutines the process
// starts while the handler answers recovers: the answer path (middleware,
// GraphQL, limiter, the job's insert, the worker's wake-up) starts none of
// its own. The worker's wake delay is an hour, so its one timer does not
// fire during the test.
func TestAnswersStartNoGoroutinePerRequest(t *testing.T) {
	const requests = 200
	n := newIdleNode(t, 50, func(c *app.Config) { c.Outbox.WakeDelay = time.Hour })
	n.recover(t, 0)
	created := func() uint64 {
		s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	before := created()
	for i := range requests {
		n.recover(t, i)
	}
	if n := created() - before; n >= requests/10 {
		t.Fatalf("%d goroutines started during %d answers, want fewer than %d", n, requests, requests/10)
	}
}
