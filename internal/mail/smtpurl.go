package mail

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/storekeep/storekeep"
)

const defaultSMTPTimeout = 30 * time.Second

// defaultHELO is the name a node greets its relay with unless the URL's
// helo option names another: as Go's net/smtp greets, and never the
// node's host name, which relays write into the Received field of every
// mail they pass on, for its reader to see.
const defaultHELO = "localhost"

// smtpConfig is an SMTP URL taken apart.
type smtpConfig struct {
	host, addr         string
	port               int
	implicitTLS        bool
	starttls           gomail.TLSPolicy
	tls                *tls.Config
	username, password string
	auth               gomail.SMTPAuthType
	timeout            time.Duration
	helo               string
	redacted           string
}

// errBadSMTPURL answers an SMTP URL that does not parse, or whose path
// is not empty: neither the URL nor the part that failed is shown, as a
// password with an unescaped / or # is what usually breaks it.
var errBadSMTPURL = errors.New("mail: invalid SMTP URL (not shown, as it may hold a password): it must be " +
	"smtp[s]://[user[:password]@]host[:port][?options], with any of / ? # @ : in the user name or password percent-encoded")

func parseSMTPURL(rawURL string) (smtpConfig, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return smtpConfig{}, errBadSMTPURL
	}
	cfg := smtpConfig{
		host:     u.Hostname(),
		starttls: gomail.TLSOpportunistic,
		timeout:  defaultSMTPTimeout,
		helo:     defaultHELO,
		redacted: u.Redacted(),
	}
	bad := func(format string, args ...any) (smtpConfig, error) {
		return smtpConfig{}, fmt.Errorf("mail: SMTP URL %s: "+format, append([]any{cfg.redacted}, args...)...)
	}
	switch u.Scheme {
	case "smtp":
		cfg.port = 25
	case "smtps":
		cfg.port = 465
		cfg.implicitTLS = true
		cfg.starttls = gomail.NoTLS
	default:
		return bad("scheme must be smtp or smtps")
	}
	if cfg.host == "" {
		return bad("no host")
	}
	if u.Path != "" && u.Path != "/" {
		return smtpConfig{}, errBadSMTPURL
	}
	if p := u.Port(); p != "" {
		cfg.port, err = strconv.Atoi(p)
		if err != nil || cfg.port < 1 || cfg.port > 65535 {
			return bad("invalid port %q", p)
		}
	}
	cfg.addr = net.JoinHostPort(cfg.host, strconv.Itoa(cfg.port))
	cfg.tls = &tls.Config{ServerName: cfg.host, MinVersion: tls.VersionTLS12}
	if u.User != nil {
		cfg.username = u.User.Username()
		cfg.password, _ = u.User.Password()
	}

	q := u.Query()
	for key, values := range q {
		if len(values) != 1 {
			return bad("option %s given %d times", key, len(values))
		}
		v := values[0]
		switch key {
		case "starttls":
			if cfg.implicitTLS {
				return bad("starttls does not apply to smtps")
			}
			switch v {
			case "opportunistic":
				cfg.starttls = gomail.TLSOpportunistic
			case "required":
				cfg.starttls = gomail.TLSMandatory
			case "none":
				cfg.starttls = gomail.NoTLS
			default:
				return bad("starttls must be opportunistic, required or none")
			}
		case "auth":
			switch v {
			case "plain":
				cfg.auth = gomail.SMTPAuthPlain
			case "login":
				cfg.auth = gomail.SMTPAuthLogin
			default:
				return bad("auth must be plain or login")
			}
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return bad("invalid timeout %q", v)
			}
			cfg.timeout = d
		case "helo":
			name, err := storekeep.NormalizeShopDomain(v)
			if err != nil || name != v {
				return bad("helo must be a host name such as mail.shop.example, not %q", v)
			}
			cfg.helo = name
		case "insecure_skip_verify":
			skip, err := strconv.ParseBool(v)
			if err != nil {
				return bad("invalid insecure_skip_verify %q", v)
			}
			cfg.tls.InsecureSkipVerify = skip
		default:
			return bad("unknown option %q", key)
		}
	}
	if cfg.auth != "" && cfg.username == "" {
		return bad("auth needs a user name")
	}
	return cfg, nil
}
