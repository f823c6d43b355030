package server

import (
	"net/http"

	"github.com/storekeep/storekeep"
)

// countedPages counts each request to the hosted pages against its
// client's allowance of requests, with its API requests, and refuses one
// past it before it reaches the pages: a bad link costs the store reads
// and a write however many a client sends.
func countedPages(cfg Config, pages http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := cfg.ClientIP.Of(r, storekeep.APIToken{})
		if !cfg.Requests.allow(r.Context(), ip) {
			cfg.Requests.refusePage(w, ip)
			return
		}
		pages.ServeHTTP(w, r)
	})
}
