package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/app"
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
