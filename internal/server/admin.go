package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/pprof"

	"github.com/storekeep/storekeep/internal/hostcheck"
)

// AdminConfig wires the operational listener, which is kept off the API
// address: what it shows (mail counts, timings, profiles) would tell an
// outsider which accounts exist.
type AdminConfig struct {
	// Metrics serves /metrics when not nil.
	Metrics http.Handler
	// Ready reports whether the node can take traffic, for /readyz; the
	// API's and the admin listener's should share one ReadyCheck.
	Ready func(ctx context.Context) error
	// Pprof serves net/http/pprof under /debug/pprof/, all but the
	// command line.
	Pprof bool
	// Hosts are the names the listener answers to besides IP addresses
	// and localhost: a request that names another host is refused, as a
	// web page rebound to this machine (DNS rebinding) would name its own.
	Hosts  []string
	Logger *slog.Logger
}

// InvalidAdminHostMessage answers a request to the admin listener whose
// Host it does not answer to.
const InvalidAdminHostMessage = "Invalid Host header: the admin listener answers only to IP addresses, localhost and the names in --admin-hosts."

// NewAdmin returns the operational listener's handler: /metrics,
// /healthz, /readyz and, when asked for, /debug/pprof/, for requests whose
// Host is an IP address, localhost or one of cfg.Hosts.
func NewAdmin(cfg AdminConfig) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	mux := http.NewServeMux()
	probes(mux, cfg.Ready)
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics)
	}
	if cfg.Pprof {
		// No /debug/pprof/cmdline: the command line may hold --secret-key.
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return hostcheck.Allowed{Names: cfg.Hosts, AnyAddress: true}.Handler(InvalidAdminHostMessage, mux)
}

// probes mounts the load-balancer checks, served on both listeners:
// /healthz answers while the process runs, /readyz while ready says so.
func probes(mux *http.ServeMux, ready func(context.Context) error) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if ready != nil {
			if err := ready(r.Context()); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte("not ready\n"))
				return
			}
		}
		w.Write([]byte("ready\n"))
	})
}
