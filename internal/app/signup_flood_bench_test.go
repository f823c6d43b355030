package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/password"
)

// BenchmarkSignInUnderSignupFlood measures what a customer signing in
// waits while 64 clients create accounts as fast as the node answers
// them: each iteration is one customerAccessTokenCreate with the right
// password, timed by the client, with the default argon2id parameters and
// hashing bounds. The create throttles are lifted, so every create reaches
// the hasher; the flood is what the throttles would let through from 64
// clients at once, without their per-IP allowance.
//
// The idle case, with no flood, is the reference; the throttled case is
// the same flood from one IP under the default create limits.
//
//	go test -run '^$' -bench SignInUnderSignupFlood -benchtime 40x -count 3 ./internal/app
func BenchmarkSignInUnderSignupFlood(b *testing.B) {
	b.Run("idle", func(b *testing.B) { signInUnderSignups(b, 0, nil) })
	b.Run("flood=64", func(b *testing.B) { signInUnderSignups(b, 64, nil) })
	b.Run("flood=64,throttled", func(b *testing.B) {
		signInUnderSignups(b, 64, func(c *app.Config, _ *storekeep.Shop) {
			c.Account.CreatePerIP, c.Account.CreatePerShop = account.DefaultConfig().CreatePerIP, account.DefaultConfig().CreatePerShop
		})
	})
}

func signInUnderSignups(b *testing.B, flooders int, limits func(*app.Config, *storekeep.Shop)) {
	n := startNode(b, unthrottled, func(c *app.Config, s *storekeep.Shop) {
		if limits != nil {
			limits(c, s)
		}
		c.HashParams = password.DefaultParams
		c.Account.LoginPerIP = storekeep.Limit{Count: 1 << 30, Per: time.Hour}
		c.Timeouts.Write = 5 * time.Minute
	})
	n.signUp("steady@example.com", "steady-secret-1")
	url := n.base + "/api/2026-10/graphql.json"
	login, _ := json.Marshal(map[string]any{"query": loginMutation, "variables": map[string]any{
		"input": map[string]any{"email": "steady@example.com", "password": "steady-secret-1"}}})

	ctx, stop := context.WithCancel(context.Background())
	var (
		wg               sync.WaitGroup
		next             atomic.Int64
		created, refused atomic.Int64
	)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: flooders + 1}}
	for range flooders {
		wg.Go(func() {
			for ctx.Err() == nil {
				body, _ := json.Marshal(map[string]any{"query": createMutation, "variables": map[string]any{
					"input": map[string]any{"email": fmt.Sprintf("flood%d@example.com", next.Add(1)), "password": "flood-secret-1"}}})
				if _, err := postRaw(client, url, n.public, body); err != nil {
					refused.Add(1)
				} else {
					created.Add(1)
				}
			}
		})
	}
	defer func() { stop(); wg.Wait() }()
	for created.Load()+refused.Load() < int64(flooders) {
		time.Sleep(10 * time.Millisecond)
	}

	var took []time.Duration
	start := time.Now()
	created.Store(0)
	refused.Store(0)
	for b.Loop() {
		t := time.Now()
		if status, err := postRaw(client, url, n.public, login); status != 200 || err != nil {
			b.Fatalf("sign-in during the flood: status %d: %v", status, err)
		}
		took = append(took, time.Since(t))
	}
	elapsed := time.Since(start).Seconds()
	slices.Sort(took)
	ms := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))]) / 1e6 }
	b.ReportMetric(ms(0.5), "signin-p50-ms")
	b.ReportMetric(ms(0.95), "signin-p95-ms")
	b.ReportMetric(ms(1), "signin-max-ms")
	b.ReportMetric(float64(created.Load())/elapsed, "creates/s")
	b.ReportMetric(float64(refused.Load())/elapsed, "creates-refused/s")
}
