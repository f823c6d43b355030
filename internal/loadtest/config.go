package loadtest

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Scenario names.
const (
	ScenarioRecover = "recover"
	ScenarioReset   = "reset"
	ScenarioLogin   = "login"
)

// MaxRate bounds Config.Rate: requests a second, far above what one
// machine's loopback serves.
const MaxRate = 1_000_000

// Scenarios lists every scenario, in the default order.
var Scenarios = []string{ScenarioRecover, ScenarioReset, ScenarioLogin}

// Config is one bench run.
type Config struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:8080; it must
	// name a loopback host.
	URL string
	// AdminURL is the server's admin listener (--admin-addr), where its
	// /metrics is read; it must name a loopback host.
	AdminURL string
	// Token is a private Storefront token with both customer scopes.
	Token string
	// Version is the API version in the endpoint's path.
	Version string
	// Clients is how many workers send requests at once.
	Clients int
	// Duration is how long each scenario runs.
	Duration time.Duration
	// Rate, when not 0, runs each scenario open: Rate requests a second in
	// all, each due at its time whether or not the server has answered
	// the ones before, and recover and login timed from when they were
	// due (a reset, which first waits for its mail, is timed from when it
	// is sent). 0 runs it closed: each client sends its next request when
	// it has the answer to the last.
	Rate float64
	// Scenarios are run in order, each for Duration.
	Scenarios []string
	// Customers is how many accounts are seeded before the scenarios.
	Customers int
	// Password is every seeded customer's password; resets keep it.
	Password string
	// SMTPListen is the loopback host:port of the bench's SMTP sink, which
	// the server must send its mail to.
	SMTPListen string
	// IPsPerClient is how many synthetic buyer IPs each client rotates
	// through; no two clients share one.
	IPsPerClient int
	// MailGrace bounds the wait for a reset mail, and the wait for stragglers
	// after a scenario.
	MailGrace time.Duration
	// Drain bounds the wait, after each scenario, for the server's outbox
	// to empty (read from its /metrics at AdminURL); 0 does not wait.
	Drain time.Duration
	// Progress receives a line per phase; nil discards them.
	Progress io.Writer
}

// DefaultConfig returns the defaults the command line starts from.
func DefaultConfig() Config {
	return Config{
		URL:          "http://127.0.0.1:8080",
		AdminURL:     "http://127.0.0.1:9090",
		Version:      "2026-10",
		Clients:      32,
		Duration:     10 * time.Second,
		Scenarios:    slices.Clone(Scenarios),
		Customers:    2000,
		Password:     "bench-Secret-2026",
		SMTPListen:   "127.0.0.1:2525",
		IPsPerClient: 256,
		MailGrace:    10 * time.Second,
		Drain:        3 * time.Minute,
	}
}

// ParseScenarios splits a comma-separated list of scenario names.
func ParseScenarios(list string) ([]string, error) {
	var out []string
	for _, s := range strings.Split(list, ",") {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" {
			continue
		}
		if !slices.Contains(Scenarios, s) {
			return nil, fmt.Errorf("unknown scenario %q (known: %s)", s, strings.Join(Scenarios, ", "))
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, errors.New("no scenario given")
	}
	return out, nil
}

// Validate reports every problem with c; a URL or sink address off this
// machine is one.
func (c Config) Validate() error {
	if _, err := checkURL("--url", c.URL); err != nil {
		return err
	}
	if c.Drain > 0 {
		if _, err := checkURL("--admin-url", c.AdminURL); err != nil {
			return err
		}
	}
	if err := checkListenAddr(c.SMTPListen); err != nil {
		return err
	}
	var problems []error
	if strings.TrimSpace(c.Token) == "" {
		problems = append(problems, errors.New("--token is required (a private Storefront token)"))
	}
	if c.Version == "" || strings.ContainsAny(c.Version, "/?#") {
		problems = append(problems, fmt.Errorf("--version %q is not an API version", c.Version))
	}
	if c.Clients < 1 || c.Customers < 1 || c.IPsPerClient < 1 {
		problems = append(problems, errors.New("--clients, --customers and --ips-per-client must be at least 1"))
	} else if c.Clients*c.IPsPerClient > maxBuyerIPs {
		problems = append(problems, fmt.Errorf("--clients × --ips-per-client must be at most %d", maxBuyerIPs))
	}
	if !(c.Rate >= 0 && c.Rate <= MaxRate) {
		problems = append(problems, fmt.Errorf("--rate must be between 0 and %d requests a second", MaxRate))
	}
	if c.Duration <= 0 || c.MailGrace <= 0 {
		problems = append(problems, errors.New("--duration and --mail-grace must be positive"))
	}
	if c.Drain < 0 {
		problems = append(problems, errors.New("--drain must not be negative"))
	}
	if c.Password == "" {
		problems = append(problems, errors.New("--password must not be empty"))
	}
	if _, err := ParseScenarios(strings.Join(c.Scenarios, ",")); err != nil {
		problems = append(problems, err)
	}
	return errors.Join(problems...)
}

// endpoint is the GraphQL endpoint of a valid c.
func (c Config) endpoint() string {
	u, _ := checkURL("--url", c.URL)
	return u.String() + "/api/" + c.Version + "/graphql.json"
}
