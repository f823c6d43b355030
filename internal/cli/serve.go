package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/outbox"
	"github.com/storekeep/storekeep/internal/ratelimit"
	"github.com/storekeep/storekeep/internal/server"
	"github.com/storekeep/storekeep/recovery"
)

func setupServe(fs *flag.FlagSet, env *environment) func(context.Context) error {
	var (
		d          dbFlags
		l          logFlags
		h          hashFlags
		addr       = fs.String("addr", "127.0.0.1:8080", "address the API, the hosted pages and the probes listen on")
		adminAddr  = fs.String("admin-addr", "127.0.0.1:9090", "address /metrics, the probes and --pprof listen on; keep it off the public network ('off' serves none of them)")
		pprofOn    = fs.Bool("pprof", false, "serve net/http/pprof under /debug/pprof/ on --admin-addr")
		smtpURL    = fs.String("smtp", "", "smtp://[user:pass@]host:port or smtps://...; without it mail goes to the dev mailbox")
		smtpPass   = fs.String("smtp-password-file", "", "a file holding the SMTP password, such as a container secret; --smtp then names only the user")
		devMailbox = fs.Bool("dev-mailbox", false, "serve /_dev/mailbox even when --smtp is set (mail still goes out by SMTP)")
		mailFrom   = fs.String("mail-from", "", "sender address of outgoing mail (default: no-reply@<shop domain>)")
		templates  = fs.String("templates", "", "directory of mail templates that override the embedded ones")
		dkimKey    = fs.String("dkim-key", "", "PEM file of an RSA or Ed25519 private key that DKIM-signs the mail sent by SMTP")
		dkimSel    = fs.String("dkim-selector", "", "DKIM selector, required with --dkim-key: the public key is in the TXT record <selector>._domainkey.<domain>")
		dkimDomain = fs.String("dkim-domain", "", "DKIM signing domain (default: the domain of each mail's From address)")
		attempts   = fs.Int("mail-max-attempts", 8, "attempts at a mail before it is abandoned (see 'storekeep mail list --status failed')")
		retention  = fs.Duration("mail-retention", 7*24*time.Hour, "how long sent and abandoned mail stays in the outbox before it is deleted")
		backoff    = fs.Duration("mail-backoff", 30*time.Second, "longest wait before the first retry of a mail; doubled at each further failure, with jitter")
		backoffMax = fs.Duration("mail-backoff-max", 30*time.Minute, "longest wait between two attempts at a mail")
		lease      = fs.Duration("mail-lease", time.Minute, "how long a node holds a mail it is sending; a send is cut off at half of it, and the mail of a node that died is taken over once it ends")
		notify     = fs.Bool("password-changed-mail", true, "mail a customer whose password was reset or changed; --password-changed-mail=false turns it off")
		proxies    = fs.String("trusted-proxies", "", "CIDRs whose X-Forwarded-For is believed, comma-separated")
		resetTTL   = fs.Duration("reset-token-ttl", 24*time.Hour, "how long a reset link stays valid")
		redisURL   = fs.String("redis", "", "redis://host:port/db to share throttles between nodes (default: in this process)")
		redisPre   = fs.String("redis-prefix", "storekeep:", "prefix of every Redis key")
		auditKeep  = fs.Duration("audit-retention", outbox.DefaultAuditRetention, "how long audit events are kept before they are deleted")
		limKeys    = fs.Int("limiter-keys", ratelimit.DefaultMaxKeys, "throttle keys held in memory (alone, or while Redis is down); once full, new keys are throttled and old ones kept")
	)
	throttles := recovery.DefaultConfig()
	fs.Var(limitFlag{&throttles.RecoverPerIP}, "recover-per-ip", "customerRecover calls allowed per client IP and shop, as COUNT/PERIOD")
	fs.Var(limitFlag{&throttles.RecoverPerEmail}, "recover-per-email", "customerRecover calls allowed per email address and shop, as COUNT/PERIOD")
	fs.Var(limitFlag{&throttles.RecoverPerShop}, "recover-per-shop", "customerRecover calls allowed per shop, as COUNT/PERIOD; raise it for a large shop")
	signups := account.DefaultConfig()
	fs.Var(limitFlag{&signups.CreatePerIP}, "create-per-ip", "customerCreate calls allowed per client IP and shop, as COUNT/PERIOD")
	fs.Var(limitFlag{&signups.CreatePerShop}, "create-per-shop", "customerCreate calls allowed per shop, as COUNT/PERIOD; raise it for a large shop")
	smtpConns := fs.Int("smtp-conns", 4, "connections to the SMTP server that mail is sent over at once")
	poll := fs.Duration("mail-poll", time.Second, "how often the outbox is read for due mail when nothing wakes it; private-mode recover requests are looked up at this pace")
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
		if err := checkMailFlags(*dkimKey, *dkimSel, *attempts, *retention, *backoff, *backoffMax, *lease); err != nil {
			return err
		}
		if *smtpConns < 1 {
			return errors.New("--smtp-conns must be at least 1")
		}
		if *auditKeep <= 0 {
			return errors.New("--audit-retention must be positive")
		}
		if *limKeys < 1 {
			return errors.New("--limiter-keys must be at least 1")
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
		cfg := app.Config{
			DB: d.db, SecretKeys: keys, SMTP: *smtpURL, DevMailbox: *devMailbox, MailboxHosts: listenHost(*addr),
			MailFrom: *mailFrom, TemplatesDir: *templates, TrustedProxies: trusted, Logger: log,
			Redis: *redisURL, RedisPrefix: *redisPre, LimiterKeys: *limKeys,
		}
		cfg.Recovery.ResetTokenTTL = *resetTTL
		cfg.Recovery.RecoverPerIP = throttles.RecoverPerIP
		cfg.Recovery.RecoverPerEmail = throttles.RecoverPerEmail
		cfg.Recovery.RecoverPerShop = throttles.RecoverPerShop
		cfg.Account.CreatePerIP = signups.CreatePerIP
		cfg.Account.CreatePerShop = signups.CreatePerShop
		cfg.HashParams = hashParams
		cfg.DKIM = mail.DKIMConfig{KeyFile: *dkimKey, Selector: *dkimSel, Domain: *dkimDomain}
		cfg.Outbox.MaxAttempts = *attempts
		cfg.Outbox.Retention = *retention
		cfg.Outbox.AuditRetention = *auditKeep
		cfg.Outbox.BackoffBase, cfg.Outbox.BackoffMax = *backoff, *backoffMax
		cfg.Outbox.Lease = *lease
		cfg.Outbox.PollInterval = *poll
		cfg.SMTPConns = *smtpConns
		cfg.Recovery.SilentPasswordChange, cfg.Account.SilentPasswordChange = !*notify, !*notify
		if *pprofOn && *adminAddr == adminOff {
			return errors.New("--pprof is served on --admin-addr, which is off")
		}
		cfg.Pprof = *pprofOn
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return err
		}
		defer ln.Close()
		if *smtpURL == "" {
			cfg.DefaultStorefrontURL = ownURL(ln.Addr())
		}
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
			"version", build.Version, "commit", build.Commit, "go", build.GoVersion)
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
		return "", errors.New("give the SMTP password in --smtp or in --smtp-password-file, not both")
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

// checkMailFlags rejects mail settings that cannot work.
func checkMailFlags(dkimKey, dkimSelector string, attempts int, retention, backoff, backoffMax, lease time.Duration) error {
	switch {
	case dkimKey != "" && dkimSelector == "":
		return errors.New("--dkim-selector is required with --dkim-key")
	case attempts < 1:
		return errors.New("--mail-max-attempts must be at least 1")
	case retention <= 0:
		return errors.New("--mail-retention must be positive")
	case backoff <= 0 || backoffMax < backoff:
		return errors.New("--mail-backoff must be positive and at most --mail-backoff-max")
	case lease < 2*time.Second:
		return errors.New("--mail-lease must be at least 2s")
	}
	return nil
}

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
		return store.Close()
	}
}
