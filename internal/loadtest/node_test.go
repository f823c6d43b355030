package loadtest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/secret"
	"github.com/storekeep/storekeep/password"
)

// testNode is a real storekeep node in the test process: a temporary
// SQLite file, default limits, and its mail going to a bench sink.
type testNode struct {
	url   string
	admin string
	token string
	sink  *sink
}

// startNode starts a sink on a free loopback port, then a node that mails
// to it; both stop when t ends, the node first.
func startNode(t *testing.T) *testNode {
	t.Helper()
	return startNodeMailingTo(t, "")
}

// startNodeMailingTo is startNode with the node's mail going to smtpURL
// instead of the sink, when smtpURL is not empty.
func startNodeMailingTo(t *testing.T, smtpURL string) *testNode {
	t.Helper()
	return startNodeWith(t, smtpURL, func(*app.Config) {})
}

// startNodeWith is startNodeMailingTo with configure changing the node's
// settings last.
func startNodeWith(t *testing.T, smtpURL string, configure func(*app.Config)) *testNode {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mail := serveSink(ln)
	t.Cleanup(func() { mail.close() })
	key, err := secret.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg := app.DefaultConfig()
	cfg.DB, cfg.SecretKeys, cfg.SMTP = filepath.Join(t.TempDir(), "storekeep.db"), [][]byte{key}, "smtp://"+mail.addr()
	if smtpURL != "" {
		cfg.SMTP = smtpURL
	}
	cfg.HashParams = password.Params{Memory: 8 * 1024, Time: 1, Threads: 1}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	configure(&cfg)
	a, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	shop, err := a.Store.CreateShop(ctx, storekeep.Shop{
		Domain: "shop.example", Name: "Bench Shop", StorefrontURL: "https://shop.example",
		Enumeration: storekeep.EnumerationPrivate, CreatedAt: time.Now().UTC(),
	}, storekeep.ShopSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	token, err := a.Keys.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Store.CreateAPIToken(ctx, storekeep.APIToken{
		ShopID: shop.ID, Kind: storekeep.APITokenPrivate, Hash: a.Keys.Hash(token), CreatedAt: time.Now().UTC(),
		Scopes: []storekeep.Scope{storekeep.ScopeWriteCustomers, storekeep.ScopeReadCustomers},
	})
	if err != nil {
		t.Fatal(err)
	}
	httpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	adminLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Serve(serveCtx, httpLn, adminLn) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	})
	return &testNode{url: "http://" + httpLn.Addr().String(), admin: "http://" + adminLn.Addr().String(), token: token, sink: mail}
}

// config is a short run against the node with a few clients.
func (n *testNode) config(scenarios ...string) Config {
	cfg := DefaultConfig()
	cfg.URL = n.url
	cfg.AdminURL = n.admin
	cfg.Token = n.token
	cfg.SMTPListen = n.sink.addr()
	cfg.Clients = 4
	cfg.Customers = 40
	cfg.Duration = 1500 * time.Millisecond
	cfg.Scenarios = scenarios
	return cfg
}
