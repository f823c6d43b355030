// Package app assembles a storekeep node from its configuration: the
// store, the domain services, the outbox worker and the HTTP handler. The
// command line and the integration tests both build nodes through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/accountpage"
	"github.com/storekeep/storekeep/internal/graph"
	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/mailbox"
	"github.com/storekeep/storekeep/internal/metrics"
	"github.com/storekeep/storekeep/internal/outbox"
	"github.com/storekeep/storekeep/internal/ratelimit"
	"github.com/storekeep/storekeep/internal/secret"
	"github.com/storekeep/storekeep/internal/server"
	"github.com/storekeep/storekeep/internal/store/sqlite"
	"github.com/storekeep/storekeep/multipass"
	"github.com/storekeep/storekeep/order"
	"github.com/storekeep/storekeep/password"
	"github.com/storekeep/storekeep/recovery"
)

// Config is everything a node is built from. Zero values take defaults.
type Config struct {
	// DB is a SQLite file path or a postgres:// URL.
	DB string
	// SQLiteCacheMiB is the page cache of each SQLite connection, in MiB;
	// PostgreSQL ignores it.
	SQLiteCacheMiB int
	// SecretKeys are the server keys, newest first.
	SecretKeys [][]byte
	// SMTP is an smtp:// or smtps:// URL; empty sends mail to the dev
	// mailbox.
	SMTP string
	// SMTPConns is how many connections to the SMTP server mail is sent
	// over at once.
	SMTPConns int
	// DevMailbox serves /_dev/mailbox even when SMTP is set.
	DevMailbox bool
	// MailboxHosts are the Host names, besides localhost and loopback
	// addresses, that the dev mailbox answers to.
	MailboxHosts []string
	// DefaultStorefrontURL is the base of the links of shops that have no
	// storefront URL: https://<domain> when empty. serve sets it to the
	// node's own address when mail goes to the dev mailbox, so that the
	// links open the pages the node hosts.
	DefaultStorefrontURL string
	// TemplatesDir overrides the embedded mail templates.
	TemplatesDir string
	// DKIM, when its KeyFile is set, signs the mail sent by SMTP.
	DKIM mail.DKIMConfig
	// Redis, a redis:// URL, shares throttles between nodes; empty keeps
	// them in this process. New reads it before it opens the database, so
	// a bad URL touches nothing.
	Redis string
	// RedisPrefix starts every Redis key (ratelimit.DefaultPrefix when empty).
	RedisPrefix string
	// LimiterKeys caps the keys the in-memory limiter holds, alone or
	// standing in for Redis.
	// A full limiter throttles new keys rather than forget old ones.
	LimiterKeys int
	// ConnsPerIP bounds the API connections one client (an IPv4 address
	// or an IPv6 /64) holds open at once; trusted proxies are not bound.
	ConnsPerIP int
	// MaxConns bounds the API connections the node holds open at once,
	// from all clients and proxies together.
	MaxConns int
	// BodyBytesPerIP and BodyBytesInFlight bound the request-body bytes
	// held at once, for one client (an IPv4 address or an IPv6 /64) and
	// for all.
	BodyBytesPerIP    int64
	BodyBytesInFlight int64
	// RequestsPerIP bounds the API and hosted page requests one client
	// sends to the node (server.RequestRate), counted in a limiter of the
	// node's own that holds at most LimiterKeys counters and lets new
	// clients through uncounted when full.
	RequestsPerIP  storekeep.Limit
	TrustedProxies []netip.Prefix
	Recovery       recovery.Config
	Account        account.Config
	Orders         order.Config
	Outbox         outbox.Config
	// RecoverPace holds customerRecover answers back, each for at most
	// two seconds, while the oldest due mail or job no worker holds has
	// waited longer than it, even after a wake of the worker (outbox.Pace);
	// zero never holds them.
	RecoverPace time.Duration
	HashParams  password.Params
	// HashConcurrency and HashQueue bound concurrent password hashing.
	HashConcurrency int
	HashQueue       int
	Now             storekeep.Clock
	Logger          *slog.Logger

	// Timeouts bound slow clients' HTTP connections.
	Timeouts Timeouts
	// Pprof serves net/http/pprof on the admin listener.
	Pprof bool
	// AdminHosts are the Host names the admin listener answers to besides
	// IP addresses and localhost (see server.AdminConfig.Hosts).
	AdminHosts []string
}

// DefaultSMTPConns is how many SMTP connections a node sends over at once
// unless told otherwise: with four, a burst of recoveries left mail
// waiting behind the answers (BENCHMARKS.md, "How many SMTP connections").
const DefaultSMTPConns = 16

// DefaultRecoverPace is how late the oldest due mail or job may be before
// customerRecover answers are held back: at 16 and 64 clients on both
// backends it kept the outbox's oldest row under a second and a reset
// mail's p99 from answer to relay at 0.2–1.1s, where 500ms let
// PostgreSQL's backlog reach 1.3s (BENCHMARKS.md, "Flow control").
const DefaultRecoverPace = 250 * time.Millisecond

// DefaultConfig returns a node's defaults: each component's own, and
// those of the node. serve's flags default to them.
func DefaultConfig() Config {
	return Config{
		SQLiteCacheMiB:    sqlite.DefaultCacheMiB,
		SMTPConns:         DefaultSMTPConns,
		RedisPrefix:       ratelimit.DefaultPrefix,
		LimiterKeys:       ratelimit.DefaultMaxKeys,
		ConnsPerIP:        server.DefaultConnsPerClient,
		MaxConns:          server.DefaultMaxConns,
		BodyBytesPerIP:    server.DefaultBodyBytesPerClient,
		BodyBytesInFlight: server.DefaultBodyBytesInFlight,
		RequestsPerIP:     server.DefaultRequestsPerClient,
		Recovery:          recovery.DefaultConfig(),
		Account:           account.DefaultConfig(),
		Orders:            order.DefaultConfig(),
		Outbox:            outbox.DefaultConfig(),
		RecoverPace:       DefaultRecoverPace,
		HashParams:        password.DefaultParams,
		HashQueue:         256,
		Timeouts:          DefaultTimeouts,
	}
}

// Validate refuses settings that cannot work, naming the serve flag that
// sets each. New calls it: start from DefaultConfig and change what you
// need.
func (c Config) Validate() error {
	return errors.Join(
		c.Recovery.Validate(),
		c.Account.Validate(),
		c.Orders.Validate(),
		c.Outbox.Validate(),
		storekeep.CheckCount("--smtp-conns", c.SMTPConns),
		storekeep.CheckOptionalDuration("--recover-pace", c.RecoverPace),
		c.checkSQLiteCache(),
		storekeep.CheckCount("--limiter-keys", c.LimiterKeys),
		storekeep.CheckCount("--conns-per-ip", c.ConnsPerIP),
		storekeep.CheckCount("--max-conns", c.MaxConns),
		checkBodyBudget(c.BodyBytesPerIP, c.BodyBytesInFlight),
		storekeep.CheckLimit("--requests-per-ip", c.RequestsPerIP),
		storekeep.CheckCount("hashing queue", c.HashQueue),
	)
}

// App is one assembled node.
type App struct {
	Store    Store
	Keys     *secret.Keyring
	Recovery *recovery.Service
	Accounts *account.Service
	Orders   *order.Service
	// Multipass signs customers in by Multipass token.
	Multipass *multipass.Service
	Outbox    *outbox.Worker
	// Pace holds customerRecover back while delivery is behind; nil when
	// Config.RecoverPace is zero.
	Pace *outbox.Pace
	// Handler serves the API, the hosted pages and the probes.
	Handler http.Handler
	// Admin serves /metrics, the probes and, when configured, pprof: the
	// operational routes, kept off the API address.
	Admin http.Handler
	// Metrics is the node's Prometheus registry, served at /metrics.
	Metrics  *metrics.Metrics
	cfg      Config
	sender   mail.Sender
	limiter  *limiter
	conns    *server.ConnLimit
	bodies   *server.BodyBudget
	requests *server.RequestRate
	keyCheck keyCheck
	mailbox  *mailbox.Handler
}

// New opens and migrates the store and builds the node.
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	keys, err := secret.New(cfg.SecretKeys...)
	if err != nil {
		return nil, err
	}
	limiter, err := newLimiter(cfg.Redis, cfg.RedisPrefix, cfg.LimiterKeys, cfg.Now, cfg.Logger)
	if err != nil {
		return nil, err
	}
	store, err := openStore(ctx, cfg.DB, keys, cfg.SQLiteCacheMiB)
	if err != nil {
		limiter.close()
		return nil, err
	}
	checkClock(ctx, store, cfg.Now, cfg.Logger)
	a := &App{Store: store, Keys: keys, cfg: cfg, limiter: limiter,
		conns:    server.NewConnLimit(cfg.ConnsPerIP, cfg.MaxConns, cfg.TrustedProxies, cfg.Logger),
		bodies:   server.NewBodyBudget(cfg.BodyBytesPerIP, cfg.BodyBytesInFlight),
		requests: server.NewRequestRate(cfg.RequestsPerIP, cfg.LimiterKeys, cfg.Now, cfg.Logger)}
	if err := a.build(); err != nil {
		limiter.close()
		store.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build() error {
	cfg := a.cfg
	hasher, err := password.NewHasher(cfg.HashParams, cfg.HashConcurrency, cfg.HashQueue)
	if err != nil {
		return err
	}
	pw := password.Kit{Hasher: hasher, Policy: password.DefaultPolicy()}
	limiter := a.limiter
	a.sender, err = a.mailSender()
	if err != nil {
		return err
	}
	renderer, err := mail.NewRenderer(cfg.TemplatesDir)
	if err != nil {
		return err
	}
	renderer.DefaultStorefrontURL = cfg.DefaultStorefrontURL
	cfg.Recovery.DefaultStorefrontURL = cfg.DefaultStorefrontURL
	cfg.Orders.DefaultStorefrontURL = cfg.DefaultStorefrontURL
	outCfg := workerConfig(cfg)
	outCfg.Now = cfg.Now
	outCfg.Logger = cfg.Logger
	outCfg.Jobs = map[storekeep.JobKind]outbox.Job{
		storekeep.JobRecover: func(ctx context.Context, j storekeep.Job) (bool, error) {
			return a.Recovery.ProcessRecoverRequest(ctx, j)
		},
		storekeep.JobInvite: func(ctx context.Context, j storekeep.Job) (bool, error) {
			return a.Recovery.ProcessInvite(ctx, j)
		},
		storekeep.JobOrdersWaiting: func(ctx context.Context, j storekeep.Job) (bool, error) {
			return a.Recovery.ProcessOrdersWaiting(ctx, j)
		},
		storekeep.JobAccountExists: func(ctx context.Context, j storekeep.Job) (bool, error) {
			return a.Accounts.ProcessAccountExists(ctx, j)
		},
	}
	outCfg.Batches = map[storekeep.JobKind]outbox.JobBatch{
		storekeep.JobRecover: func(ctx context.Context, jobs []storekeep.Job, leaseUntil time.Time) ([]storekeep.Mail, error) {
			return a.Recovery.ProcessRecoverRequests(ctx, jobs, leaseUntil)
		},
	}
	a.Outbox = outbox.New(a.Store, a.Store, renderer, a.sender, outCfg)
	a.Accounts = account.New(account.Deps{
		Store: a.Store, Limiter: limiter, Keys: a.Keys, Passwords: pw, Now: cfg.Now, MailQueued: a.Outbox.Kick,
	}, cfg.Account)
	rd := recovery.Deps{
		Store: a.Store, Limiter: limiter, Keys: a.Keys, Passwords: pw, Sessions: a.Accounts, Now: cfg.Now,
		MailQueued: a.Outbox.Kick, JobQueued: a.Outbox.KickSoon, Handoff: a.Outbox,
	}
	if cfg.RecoverPace > 0 {
		a.Pace = outbox.NewPace(a.Store, outbox.PaceConfig{Behind: cfg.RecoverPace, Kick: a.Outbox.Kick, Now: cfg.Now,
			Logger: cfg.Logger})
		rd.Pace = a.Pace
	}
	a.Recovery = recovery.New(rd, cfg.Recovery)
	a.Orders = order.New(order.Deps{Store: a.Store, Limiter: limiter, Keys: a.Keys, Now: cfg.Now}, cfg.Orders)
	a.Multipass = multipass.New(multipass.Deps{
		Store: a.Store, Accounts: a.Accounts, Limiter: limiter, Keys: a.Keys, Now: cfg.Now,
	}, multipass.Config{PerIP: cfg.Account.LoginPerIP})
	a.Metrics = a.newMetrics(hasher)
	gql := graph.NewHandler(&graph.Resolver{Recovery: a.Recovery, Accounts: a.Accounts, OrderBook: a.Orders,
		Multipass: a.Multipass, Logger: cfg.Logger, Observe: a.Metrics.ObserveField})
	ready := server.NewReadyCheck(a.ready, cfg.Logger)
	srv := server.Config{
		Shops:    a.Store,
		Keys:     a.Keys,
		GraphQL:  gql,
		ClientIP: server.ClientIP{TrustedProxies: cfg.TrustedProxies},
		Now:      cfg.Now,
		Logger:   cfg.Logger,
		Ready:    ready.Ready,
		Observe:  a.Metrics.ObserveHTTP,
		Webhooks: a.Orders,
		Bodies:   a.bodies,
		Requests: a.requests,
	}
	if cfg.SMTP == "" || cfg.DevMailbox {
		a.mailbox = mailbox.NewHandler(a.Store, cfg.Logger, cfg.MailboxHosts...)
		srv.Mailbox = a.mailbox
	}
	srv.Accounts = accountpage.New(accountpage.Config{Shops: a.Store, Recovery: a.Recovery, Keys: a.Keys, Logger: cfg.Logger,
		DefaultStorefrontURL: cfg.DefaultStorefrontURL,
		ClientIP:             func(r *http.Request) string { return srv.ClientIP.Of(r, storekeep.APIToken{}) }})
	a.Handler = server.New(srv)
	a.Admin = server.NewAdmin(server.AdminConfig{Metrics: a.Metrics.Handler(), Ready: ready.Ready, Pprof: cfg.Pprof,
		Hosts: cfg.AdminHosts, Logger: cfg.Logger})
	return nil
}

// ready reports whether the node can take traffic: the database answers,
// its schema is current, and the configured keys can read what it holds
// (checked again once a passing check is KeyCheckTTL old).
func (a *App) ready(ctx context.Context) error {
	if err := a.Store.Ping(ctx); err != nil {
		return err
	}
	return a.keyCheck.verify(ctx, a.Store, a.Keys, a.cfg.Now())
}

func (a *App) mailSender() (mail.Sender, error) {
	if a.cfg.SMTP == "" {
		if a.cfg.DKIM.KeyFile != "" {
			return nil, errors.New("app: DKIM signs mail sent by SMTP; no SMTP server is set")
		}
		return mail.NewMailboxSender(a.Store, a.cfg.Now), nil
	}
	var opts []mail.SMTPOption
	if a.cfg.DKIM.KeyFile != "" {
		d, err := mail.LoadDKIM(a.cfg.DKIM)
		if err != nil {
			return nil, err
		}
		opts = append(opts, mail.WithDKIM(d))
	}
	return mail.NewSMTPPool(a.cfg.SMTP, a.cfg.SMTPConns, opts...)
}

// Serve serves the API on api and, when admin is not nil, the operational
// routes on admin, and delivers mail until ctx is done; then it stops
// accepting, lets requests in flight finish, and flushes the mail the
// outbox worker holds.
func (a *App) Serve(ctx context.Context, api, admin net.Listener) error {
	servers := []*http.Server{a.httpServer(a.Handler, false)}
	if a.mailbox != nil {
		servers[0].RegisterOnShutdown(a.mailbox.Shutdown)
	}
	listeners := []net.Listener{a.conns.Listener(api)}
	if admin != nil {
		servers = append(servers, a.adminServer())
		listeners = append(listeners, admin)
	}
	workerCtx, stopWorker := context.WithCancel(context.Background())
	workerDone := make(chan error, 1)
	go func() { workerDone <- a.Outbox.Run(workerCtx) }()
	paceDone := make(chan struct{})
	go func() {
		defer close(paceDone)
		if a.Pace != nil {
			a.Pace.Run(workerCtx)
		}
	}()
	serveDone := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { serveDone <- srv.Serve(listeners[i]) }()
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-serveDone:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(shutdownCtx); err != nil {
			serveErr = errors.Join(serveErr, fmt.Errorf("http shutdown: %w", err))
		}
	}
	stopWorker()
	<-paceDone
	if err := <-workerDone; err != nil && !errors.Is(err, context.Canceled) {
		serveErr = errors.Join(serveErr, fmt.Errorf("outbox: %w", err))
	}
	if err := a.Outbox.Flush(shutdownCtx); err != nil {
		serveErr = errors.Join(serveErr, fmt.Errorf("outbox flush: %w", err))
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return serveErr
}

// pprofWriteTimeout lets the admin listener answer a CPU profile or trace
// of up to a few minutes.
const pprofWriteTimeout = 5 * time.Minute

func (a *App) httpServer(h http.Handler, profiles bool) *http.Server {
	timeouts := a.cfg.Timeouts.withDefaults()
	if profiles {
		timeouts.Write = max(timeouts.Write, pprofWriteTimeout)
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: timeouts.ReadHeader,
		ReadTimeout:       timeouts.Read,
		WriteTimeout:      timeouts.Write,
		IdleTimeout:       timeouts.Idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.cfg.Logger.Handler(), slog.LevelWarn),
	}
}

// adminServer serves the operational routes. Their requests end as the
// server begins to stop: none changes anything, and a CPU profile or
// trace (--pprof) would otherwise hold the shutdown for as long as it
// was asked to run, past the time left for the last flush of mail.
func (a *App) adminServer() *http.Server {
	srv := a.httpServer(a.Admin, a.cfg.Pprof)
	ctx, stop := context.WithCancel(context.Background())
	srv.BaseContext = func(net.Listener) context.Context { return ctx }
	srv.RegisterOnShutdown(stop)
	return srv
}

// Close releases the store and the mail connection.
func (a *App) Close() error {
	var err error
	if c, ok := a.sender.(interface{ Close() error }); ok {
		err = c.Close()
	}
	return errors.Join(err, a.limiter.close(), a.Store.Close())
}

// checkBodyBudget refuses request-body budgets that could not hold one
// order webhook's largest body, or a client's budget past all clients'.
func checkBodyBudget(perIP, inFlight int64) error {
	if perIP < order.MaxWebhookBytes || inFlight < perIP {
		return fmt.Errorf("--body-mib-per-ip and --body-mib: %d and %d bytes; a client's must hold an order webhook's %d bytes, and the node's a client's",
			perIP, inFlight, order.MaxWebhookBytes)
	}
	return nil
}

// checkSQLiteCache refuses a SQLite page cache outside its bounds, for a
// SQLite node only.
func (c Config) checkSQLiteCache() error {
	if IsPostgres(c.DB) {
		return nil
	}
	return sqlite.CheckCacheMiB("--sqlite-cache-size", c.SQLiteCacheMiB)
}

// workerConfig is cfg.Outbox for the node's database: on PostgreSQL the
// worker holds outbox.PostgresBatch at once, unless Batch was changed
// from its default.
func workerConfig(cfg Config) outbox.Config {
	c := cfg.Outbox
	if IsPostgres(cfg.DB) && c.Batch == outbox.DefaultConfig().Batch {
		c.Batch = outbox.PostgresBatch
	}
	return c
}
