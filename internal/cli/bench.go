package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/storekeep/storekeep/internal/loadtest"
)

func setupBench(fs *flag.FlagSet, env *environment) func(context.Context) error {
	d := loadtest.DefaultConfig()
	url := fs.String("url", d.URL, "the running server's base URL; only loopback hosts (127.0.0.0/8, ::1, localhost) are accepted")
	adminURL := fs.String("admin-url", d.AdminURL, "the running server's admin listener (its --admin-addr), whose /metrics gives the backlog, peak RSS and --drain; loopback only")
	token := defineSecret(fs, "token", "a private Storefront token with both customer scopes (this or --token-file is "+
		"required; a process list shows it, the file's content it does not)", nil)
	version := fs.String("version", d.Version, "API version in the endpoint's path")
	clients := fs.Int("clients", d.Clients, "concurrent clients")
	duration := fs.Duration("duration", d.Duration, "how long each scenario runs")
	rate := fs.Float64("rate", d.Rate, "requests a second in all, each sent when due and timed from then, whether the server kept up or not (0: each client sends when it has its last answer)")
	scenarios := fs.String("scenarios", strings.Join(d.Scenarios, ","), "scenarios to run in order: recover, reset, login")
	customers := fs.Int("customers", d.Customers, "customers to seed through customerCreate before the scenarios, by at most 16 clients at once")
	pass := fs.String("password", d.Password, "the seeded customers' password (resets keep it)")
	smtpListen := fs.String("smtp-listen", d.SMTPListen, "loopback address of the bench's SMTP sink; start the server with --smtp smtp://<this address>")
	ips := fs.Int("ips-per-client", d.IPsPerClient, "synthetic buyer IPs each client rotates through (Shopify-Storefront-Buyer-IP)")
	grace := fs.Duration("mail-grace", d.MailGrace, "how long to wait for a reset mail, and for stragglers after a scenario")
	drain := fs.Duration("drain", d.Drain, "after each scenario, wait up to this long for the server's outbox to empty (read from /metrics at --admin-url); 0 does not wait")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the bench itself (its clients and SMTP sink) to this file, for go tool pprof")
	return func(ctx context.Context) error {
		names, err := loadtest.ParseScenarios(*scenarios)
		if err != nil {
			fmt.Fprintf(env.stderr, "storekeep bench: --scenarios: %v\n", err)
			return errUsage
		}
		tokenValue, given, err := token.value()
		if err != nil {
			return err
		}
		if !given {
			return usagef("--token or --token-file is required (a private Storefront token)")
		}
		cfg := loadtest.Config{
			URL: *url, AdminURL: *adminURL, Token: tokenValue, Version: *version, Clients: *clients, Duration: *duration, Rate: *rate,
			Scenarios: names, Customers: *customers, Password: *pass, SMTPListen: *smtpListen,
			IPsPerClient: *ips, MailGrace: *grace, Drain: *drain, Progress: env.stderr,
		}
		if err := cfg.Validate(); err != nil {
			fmt.Fprintf(env.stderr, "storekeep bench: %v\n", err)
			return errUsage
		}
		if *cpuProfile != "" {
			stop, err := profileCPU(*cpuProfile)
			if err != nil {
				fmt.Fprintf(env.stderr, "storekeep bench: --cpuprofile: %v\n", err)
				return errUsage
			}
			defer stop()
		}
		rep, err := loadtest.Run(ctx, cfg)
		if rep == nil {
			return err
		}
		write := rep.WriteTable
		if *asJSON {
			write = rep.WriteJSON
		}
		return errors.Join(err, write(env.stdout))
	}
}

// profileCPU starts a CPU profile of this process into path; stop ends it
// and closes the file.
func profileCPU(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
