// Package server is storekeep's HTTP front: the Storefront GraphQL endpoint
// with Shopify's version rules, token authentication and client-IP rules,
// plus the load-balancer probes and development routes; NewAdmin is the
// operational listener's handler. It turns an HTTP request
// into a storekeep.Session and leaves the rest to the GraphQL handler.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/storekeep/storekeep"
)

// Config wires the server. GraphQL is required; a nil optional handler
// leaves its route unmounted.
type Config struct {
	Shops   storekeep.ShopStore
	Keys    storekeep.Keyring
	GraphQL http.Handler
	// Mailbox serves /_dev/mailbox when not nil.
	Mailbox http.Handler
	// Accounts serves the hosted /account/... pages when not nil.
	Accounts http.Handler
	// Webhooks takes POST /webhooks/shopify when not nil.
	Webhooks Webhooks
	// Ready reports whether the node can take traffic, for /readyz; the
	// API's and the admin listener's should share one ReadyCheck.
	Ready    func(ctx context.Context) error
	ClientIP ClientIP
	Now      storekeep.Clock
	Logger   *slog.Logger
	// MaxBodyBytes bounds a GraphQL request body.
	MaxBodyBytes int64
	// Bodies, when not nil, bounds the request-body bytes held at once by
	// client and in all, for the API and order webhooks.
	Bodies *BodyBudget
	// Requests, when not nil, bounds the API and hosted page requests
	// each client sends; a private token's requests that name no buyer
	// are the storefront server's own and are not counted.
	Requests *RequestRate
	// Observe, when not nil, is told of every API request's outcome.
	Observe func(route string, status int, elapsed time.Duration)
}

// DefaultMaxBodyBytes bounds GraphQL request bodies unless configured.
const DefaultMaxBodyBytes = 256 << 10

// New returns the server's root handler.
func New(cfg Config) http.Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	mux := http.NewServeMux()
	api := &apiHandler{cfg: cfg, tokens: newTokenCache(cfg.Shops, time.Now)}
	mux.Handle("/api/{version}/graphql.json", api)
	probes(mux, cfg.Ready)
	mux.HandleFunc("GET /{$}", home(cfg.Mailbox != nil))
	if cfg.Mailbox != nil {
		mux.Handle("/_dev/mailbox", cfg.Mailbox)
		mux.Handle("/_dev/mailbox/", cfg.Mailbox)
	}
	if cfg.Accounts != nil {
		// Exact shapes: "/account/" and "/{locale}/account/" would conflict.
		for _, p := range []string{"/account/{page}/{n}/{token}", "/{locale}/account/{page}/{n}/{token}", "/account/_assets/{file}"} {
			mux.Handle(p, countedPages(cfg, cfg.Accounts))
		}
	}
	if cfg.Webhooks != nil {
		mux.Handle("/webhooks/shopify", &webhookHandler{receiver: cfg.Webhooks, clientIP: cfg.ClientIP, bodies: cfg.Bodies, logger: cfg.Logger})
	}
	return withRequestLog(cfg.Logger, cfg.Observe, recoverPanics(cfg.Logger, storedByNoCache(mux)))
}
