package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
)

// A request whose token is not found cost a store look-up and a 401,
// however many one client sent, and counted against nothing: with every
// found token's requests bounded, made-up tokens were the way left to
// keep a node's store busy. They now count against their sender's
// request allowance, and once it is spent a token that is none of the
// shops' is refused (429) before it is looked up.
func TestUnknownTokensCountAgainstTheirSendersAllowance(t *testing.T) {
	f := newCacheFixture(t)
	rate := NewRequestRate(storekeep.Limit{Count: 3, Per: time.Hour}, 100, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	graphql := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"data":{}}`)) })
	srv := httptest.NewServer(New(Config{Shops: f.shops, Keys: f.keys, GraphQL: graphql, Requests: rate}))
	t.Cleanup(srv.Close)
	private := f.newToken()
	post := func(header, token string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+"/api/2026-10/graphql.json", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(header, token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(PrivateTokenHeader, private); got != http.StatusOK {
		t.Fatalf("the storefront server's token: %d", got)
	}
	for i := range 3 {
		made, _ := f.keys.NewToken()
		if got := post(PublicTokenHeader, made); got != http.StatusUnauthorized {
			t.Fatalf("made-up token %d within the allowance: %d, want 401", i+1, got)
		}
	}
	before := f.shops.lookups.Load()
	for i := range 20 {
		made, _ := f.keys.NewToken()
		if got := post(PrivateTokenHeader, made); got != http.StatusTooManyRequests {
			t.Fatalf("made-up token %d past the allowance: %d, want 429", i+1, got)
		}
	}
	if n := f.shops.lookups.Load() - before; n != 0 {
		t.Fatalf("%d store look-ups for made-up tokens past the allowance, want 0", n)
	}
	if got := post(PrivateTokenHeader, private); got != http.StatusOK {
		t.Fatalf("the storefront server's token from the same address: %d", got)
	}
	if rate.Throttled() != 20 {
		t.Fatalf("Throttled %d, want 20", rate.Throttled())
	}
}
