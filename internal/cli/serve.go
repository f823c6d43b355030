package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/server"
	"github.com/storekeep/storekeep/internal/store/sqlite"
)

func setupServe(fs *flag.FlagSet, env *environment) func(context.Context) error {
	cfg := app.DefaultConfig()
	var (
		d          dbFlags
		l          logFlags
		h          hashFlags
		addr       = fs.String("addr", "127.0.0.1:8080", "address the API, the hosted pages and the probes listen on")
		adminAddr  = fs.String("admin-addr", "127.0.0.1:9090", "address /metrics, the probes and --pprof listen on; keep it off the public network ('off' serves none of them)")
		pprofOn    = fs.Bool("pprof", false, "serve net/http/pprof under /debug/pprof/ on --admin-addr")
		adminHosts = fs.String("admin-hosts", "", "host names, comma-separated, that --admin-addr answers to besides IP addresses, localhost and its own host (a scraper that names the node by DNS name needs it listed)")
		smtpURL    = fs.String("smtp", "", "smtp://[user:pass@]host:port or smtps://...; without it mail goes to the dev mailbox")
		smtpPass   = fs.String("smtp-password-file", "", "a file holding the SMTP password, such as a container secret; --smtp then names only the user")
		devMailbox = fs.Bool("dev-mailbox", false, "serve /_dev/mailbox even when --smtp is set (mail still goes out by SMTP)")
		dkimKey    = fs.String("dkim-key", "", "PEM file of an RSA or Ed25519 private key that DKIM-signs the mail sent by SMTP")
		dkimSel    = fs.String("dkim-selector", "", "DKIM selector, required with --dkim-key: the public key is in the TXT record <selector>._domainkey.<domain>")
		dkimDomain = fs.String("dkim-domain", "", "DKIM signing domain (default: the domain of each mail's From address)")
		notify     = fs.Bool("password-changed-mail", true, "mail a customer whose password was reset or changed; --password-changed-mail=false turns it off")
		proxies    = fs.String("trusted-proxies", "", "CIDRs whose X-Forwarded-For is believed, comma-separated")
		redisURL   = fs.String("redis", "", "redis://host:port/db to share throttles between nodes (default: in this process)")
		memLimit   = fs.Int("memory-limit", serveMemoryLimitMiB, "MiB of Go memory the node keeps near while what it holds live allows: the collector runs sooner and freed memory goes back to the OS, but always lets half the live heap be allocated between collections; 0 for none (GOMEMLIMIT in the environment stands instead)")
	)
	fs.Var(limitFlag{&cfg.Recovery.RecoverPerIP}, "recover-per-ip", "customerRecover calls allowed per client IP and shop, as COUNT/PERIOD")
	fs.Var(limitFlag{&cfg.Recovery.RecoverPerEmail}, "recover-per-email", "customerRecover calls allowed per email address and shop, as COUNT/PERIOD")
	fs.Var(limitFlag{&cfg.Recovery.RecoverPerShop}, "recover-per-shop", "customerRecover calls allowed per shop, as COUNT/PERIOD; raise it for a large shop")
	fs.Var(limitFlag{&cfg.Account.CreatePerIP}, "create-per-ip", "customerCreate calls allowed per client IP and shop, as COUNT/PERIOD")
	fs.Var(limitFlag{&cfg.Account.CreatePerShop}, "create-per-shop", "customerCreate calls allowed per shop, as COUNT/PERIOD; raise it for a large shop")
	fs.StringVar(&cfg.Outbox.From, "mail-from", "", "sender address of outgoing mail (default: no-reply@<shop domain>)")
	fs.StringVar(&cfg.TemplatesDir, "templates", "", "directory of mail templates that override the embedded ones")
	fs.IntVar(&cfg.Outbox.MaxAttempts, "mail-max-attempts", cfg.Outbox.MaxAttempts, "attempts at a mail before it is abandoned (see 'storekeep mail list --status failed')")
	fs.DurationVar(&cfg.Outbox.Retention, "mail-retention", cfg.Outbox.Retention, "how long sent and abandoned mail stays in the outbox before it is deleted")
	fs.DurationVar(&cfg.Outbox.BackoffBase, "mail-backoff", cfg.Outbox.BackoffBase, "longest wait before the first retry of a mail; doubled at each further failure, with jitter")
	fs.DurationVar(&cfg.Outbox.BackoffMax, "mail-backoff-max", cfg.Outbox.BackoffMax, "longest wait between two attempts at a mail")
	fs.DurationVar(&cfg.Outbox.Lease, "mail-lease", cfg.Outbox.Lease, "how long a node holds a mail it is sending; a send is cut off at half of it, and the mail of a node that died is taken over once it ends")
	fs.DurationVar(&cfg.Recovery.ResetTokenTTL, "reset-token-ttl", cfg.Recovery.ResetTokenTTL, "how long a reset link stays valid")
	fs.StringVar(&cfg.RedisPrefix, "redis-prefix", cfg.RedisPrefix, "prefix of every Redis key")
	fs.DurationVar(&cfg.Outbox.AuditRetention, "audit-retention", cfg.Outbox.AuditRetention, "how long audit events are kept before they are deleted")
	fs.IntVar(&cfg.LimiterKeys, "limiter-keys", cfg.LimiterKeys, "throttle keys held in memory (alone, or while Redis is down); once full, new keys are throttled and old ones kept. The API request limiter (--requests-per-ip) holds as many counters of its own and, full, lets new clients through uncounted")
	fs.IntVar(&cfg.ConnsPerIP, "conns-per-ip", cfg.ConnsPerIP, "API connections one client (an IPv4 address or an IPv6 /64) may hold open at once; more are closed as they are accepted; --trusted-proxies are not bound")
	fs.IntVar(&cfg.MaxConns, "max-conns", cfg.MaxConns, "API connections the node holds open at once, from all clients and proxies; more are closed as they are accepted (an idle one costs about 20 KB)")
	fs.Var(limitFlag{&cfg.RequestsPerIP}, "requests-per-ip", "API and hosted page requests one client (an IPv4 address or an IPv6 /64; each buyer a private token names) may send to this node, as COUNT/PERIOD; past it a request is refused (429)")
	fs.Var(mibFlag{&cfg.BodyBytesPerIP}, "body-mib-per-ip", "MiB of request bodies one client (an IPv4 address or an IPv6 /64) may have held while they arrive; past it a body is refused (429)")
	fs.Var(mibFlag{&cfg.BodyBytesInFlight}, "body-mib", "MiB of request bodies the node holds while they arrive, from all clients; past it a body is refused (503)")
	fs.IntVar(&cfg.SQLiteCacheMiB, "sqlite-cache-size", cfg.SQLiteCacheMiB, fmt.Sprintf("page cache of each SQLite connection (one writer, max(4, CPUs) readers), in MiB, 1 to %d; counts toward the node's memory", sqlite.MaxCacheMiB))
	fs.IntVar(&cfg.SMTPConns, "smtp-conns", cfg.SMTPConns, "connections to the SMTP server that mail is sent over at once")
	fs.DurationVar(&cfg.RecoverPace, "recover-pace", cfg.RecoverPace, "hold customerRecover answers, each for at most 2s, while the oldest due mail or job has waited longer than this for the outbox worker, so that answers slow to what the node delivers; 0 never holds them")
	fs.DurationVar(&cfg.Outbox.PollInterval, "mail-poll", cfg.Outbox.PollInterval, "how often the outbox is read for due mail when nothing wakes it; a private-mode recover wakes it 100ms after the first of the requests queued together")
	d.define(fs)
	l.define(fs)
	h.define(fs)
	return func(ctx context.Context) error {
		log, err := l.logger(env.stderr)
		if err != nil {
			return err
		}
		hashParams, err := h.params()
		if err != nil {
			return err
		}
		trusted, err := server.ParsePrefixes(*proxies)
		if err != nil {
			return fmt.Errorf("--trusted-proxies: %w", err)
		}
		if *dkimKey != "" && *dkimSel == "" {
			return usagef("--dkim-selector is required with --dkim-key")
		}
		if *smtpPass != "" {
			if *smtpURL, err = withSMTPPassword(*smtpURL, *smtpPass); err != nil {
				return err
			}
		}
		keys, err := d.keys(log)
		if err != nil {
			return err
		}
		cfg.DB, cfg.SecretKeys, cfg.SMTP, cfg.DevMailbox, cfg.MailboxHosts = d.db, keys, *smtpURL, *devMailbox, listenHost(*addr)
		cfg.TrustedProxies, cfg.Logger, cfg.Redis = trusted, log, *redisURL
		cfg.HashParams = hashParams
		cfg.DKIM = mail.DKIMConfig{KeyFile: *dkimKey, Selector: *dkimSel, Domain: *dkimDomain}
		cfg.Account.SilentPasswordChange = !*notify
		if *addr == "" || *adminAddr == "" {
			return errors.New("--addr and --admin-addr need an address such as 127.0.0.1:8080 (an empty one would listen " +
				"on every interface at a random port); --admin-addr off serves no admin listener")
		}
		if *memLimit < 0 || *memLimit > maxMiBFlag {
			return usagef("--memory-limit: want a whole number of MiB from 0 to %d", maxMiBFlag)
		}
		if *pprofOn && *adminAddr == adminOff {
			return errors.New("--pprof is served on --admin-addr, which is off")
		}
		cfg.Pprof = *pprofOn
		cfg.AdminHosts = append(listenHost(*adminAddr), hostNames(*adminHosts)...)
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return err
		}
		defer ln.Close()
		if *smtpURL == "" {
			cfg.DefaultStorefrontURL = ownURL(ln.Addr())
		}
		gogc := tuneCollector(env.getenv)
		undoLimit, memoryLimit := limitMemory(env.getenv, *memLimit, *pprofOn)
		defer undoLimit()
		a, err := app.New(ctx, cfg)
		if err != nil {
			return err
		}
		defer a.Close()
		var admin net.Listener
		if *adminAddr != adminOff {
			if admin, err = net.Listen("tcp", *adminAddr); err != nil {
				return fmt.Errorf("--admin-addr: %w", err)
			}
		}
		fmt.Fprintf(env.stdout, "storekeep listening on http://%s\n", ln.Addr())
		build := readBuildInfo()
		log.Info("listening", "addr", ln.Addr().String(), "db", redactDB(d.db), "mail", mailMode(*smtpURL),
			"version", build.Version, "commit", build.Commit, "go", build.GoVersion, "gogc", gogc, "memory_limit", memoryLimit)
		if admin != nil {
			fmt.Fprintf(env.stdout, "storekeep admin on http://%s\n", admin.Addr())
			log.Info("admin listening", "addr", admin.Addr().String(), "pprof", *pprofOn)
		}
		stopping := context.AfterFunc(ctx, func() {
			log.Info("shutting down: finishing requests and mail in flight")
		})
		defer stopping()
		if err := a.Serve(ctx, ln, admin); err != nil {
			log.Error("stopped", "err", err)
			return err
		}
		log.Info("stopped")
		return nil
	}
}

// withSMTPPassword sets the password of the --smtp URL raw to the content
// of the file path.
func withSMTPPassword(raw, path string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil || u.User.Username() == "" {
		return "", errors.New("--smtp-password-file needs --smtp with a user name, such as smtp://user@host:587")
	}
	if _, set := u.User.Password(); set {
		return "", usagef("give the SMTP password in --smtp or in --smtp-password-file, not both")
	}
	pass, err := secretFile("--smtp-password-file", path)
	if err != nil {
		return "", err
	}
	u.User = url.UserPassword(u.User.Username(), pass)
	return u.String(), nil
}

// listenHost is the host of a listen address, as the names the dev
// mailbox answers to besides loopback ones: none for a wildcard address.
func listenHost(addr string) []string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" || host == "0.0.0.0" || host == "::" {
		return nil
	}
	return []string{host}
}

// adminOff as --admin-addr serves no operational listener.
const adminOff = "off"

// ownURL is the address a browser on this machine reaches the server at:
// the listening address, with 127.0.0.1 for an unspecified host.
func ownURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String()
	}
	ip := tcp.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}

func mailMode(smtpURL string) string {
	if smtpURL == "" {
		return "dev mailbox"
	}
	return "smtp"
}

func setupMigrate(fs *flag.FlagSet, env *environment) func(context.Context) error {
	var (
		d dbFlags
		l logFlags
	)
	d.define(fs)
	l.define(fs)
	return func(ctx context.Context) error {
		log, err := l.logger(env.stderr)
		if err != nil {
			return err
		}
		store, _, err := d.open(ctx, log)
		if err != nil {
			return err
		}
		log.Info("migrations applied", "db", redactDB(d.db))
		n, err := store.ResealShopSecrets(ctx)
		if err == nil && n > 0 {
			log.Info("shop secrets sealed under the newest key", "count", n)
		}
		return errors.Join(err, store.Close())
	}
}

// hostNames splits a comma-separated list of host names, dropping blanks.
func hostNames(list string) []string {
	var out []string
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
