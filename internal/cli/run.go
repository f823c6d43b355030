// Package cli is storekeep's command line: it turns arguments and, for a
// node's settings, STOREKEEP_* environment variables into a configuration
// and runs a command.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

func commands() []command {
	return []command{
		{name: "serve", summary: "Run the server: the Storefront API, the outbox worker and, without SMTP, the dev mailbox.", setup: setupServe, node: true},
		{name: "migrate", summary: "Apply the database migrations and exit.", setup: setupMigrate, node: true},
		{name: "healthcheck", summary: "Ask a running server's /healthz whether it is up; exit 0 if so (for container health checks).", setup: setupHealthcheck, node: true},
		{name: "shop create", summary: "Create a shop.", setup: setupShopCreate},
		{name: "shop update", summary: "Change a shop's name, storefront URL, enumeration mode or mail settings (sender, reply-to, locale).", setup: setupShopUpdate},
		{name: "token create", summary: "Create a Storefront API token for a shop and print it alone on stdout.", setup: setupTokenCreate},
		{name: "token list", summary: "List a shop's Storefront API tokens: ID, kind, scopes and when each was made (never the token).", setup: setupTokenList},
		{name: "token revoke", summary: "Delete a shop's Storefront API token; running servers refuse it within 1 s.", setup: setupTokenRevoke, arg: "ID"},
		{name: "customer create", summary: "Create a customer; without --password the customer is invited by mail.", setup: setupCustomerCreate},
		{name: "customer import", summary: "Import customers from Shopify's customer export CSV; --invite mails each new customer an activation link.", setup: setupCustomerImport, arg: "FILE"},
		{name: "order import", summary: "Import a shop's orders from JSON Lines of Shopify REST Order objects (FILE, or - for stdin).", setup: setupOrderImport, arg: "FILE"},
		{name: "hash calibrate", summary: "Suggest argon2id parameters (--hash-memory, --hash-time, --hash-threads) for a target time on this machine.", setup: setupHashCalibrate},
		{name: "audit list", summary: "List the security audit trail, newest first: resets, failed sign-ins, bad tokens, throttling.", setup: setupAuditList},
		{name: "mail list", summary: "List the outbox, newest first: status, attempts and last error of each mail.", setup: setupMailList},
		{name: "mail retry", summary: "Queue a mail that was abandoned (status failed) for delivery again.", setup: setupMailRetry, arg: "ID"},
		{name: "bench", summary: "Load a running server on this machine: seed customers, then time recover, reset and login.", setup: setupBench},
		{name: "seed", summary: "Fill a shop of a bench database on this machine with a production history: customers, sent mail, audit events, tokens.", setup: setupSeed},
		{name: "version", summary: "Print storekeep's version, commit and Go version.", setup: setupVersion},
	}
}

// Run runs the storekeep command args names and returns the process's exit
// code: 0 on success, 2 for a usage error, 1 for any other failure.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	env := &environment{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		printHelp(stdout, "")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		words := len(strings.Fields(c.name))
		if len(args) < words || strings.Join(args[:words], " ") != c.name {
			continue
		}
		return c.run(ctx, args[words:], env)
	}
	if group := args[0]; isGroup(group) {
		if len(args) == 2 && isHelp(args[1]) {
			printHelp(stdout, group)
			return 0
		}
		if len(args) > 1 {
			fmt.Fprintf(stderr, "storekeep: unknown command %q\n\n", group+" "+args[1])
		}
		printHelp(stderr, group)
		return 2
	}
	fmt.Fprintf(stderr, "storekeep: unknown command %q\n\n", strings.Join(args, " "))
	printHelp(stderr, "")
	return 2
}

func (c command) run(ctx context.Context, args []string, env *environment) int {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	run := c.setup(fs, env)
	fs.Usage = func() {}
	err := c.parse(fs, args, env)
	if errors.Is(err, flag.ErrHelp) {
		c.usage(fs, env.stdout)
		return 0
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "storekeep %s: %v\n", c.name, err)
		c.usage(fs, env.stderr)
		return 2
	}
	if err := run(ctx); err != nil {
		if errors.Is(err, errUsage) {
			return 2
		}
		fmt.Fprintf(env.stderr, "storekeep %s: %v\n", c.name, err)
		var usage *usageError
		if errors.As(err, &usage) {
			c.usage(fs, env.stderr)
			return 2
		}
		return 1
	}
	return 0
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help"
}

// isGroup reports whether word starts commands of two words, such as
// "shop" of "shop create".
func isGroup(word string) bool {
	return slices.ContainsFunc(commands(), func(c command) bool { return strings.HasPrefix(c.name, word+" ") })
}

// printHelp lists the commands, or only those of group when it is set.
func printHelp(w io.Writer, group string) {
	if group == "" {
		fmt.Fprintln(w, "storekeep: a self-hosted server for the Shopify Storefront API's customer accounts.")
		fmt.Fprintln(w, "\nusage: storekeep <command> [flags]\n\ncommands:")
	} else {
		fmt.Fprintf(w, "usage: storekeep %s <command> [flags]\n\ncommands:\n", group)
	}
	for _, c := range commands() {
		if group != "" && !strings.HasPrefix(c.name, group+" ") {
			continue
		}
		name := c.name
		if c.arg != "" {
			name += " " + c.arg
		}
		fmt.Fprintf(w, "  %-16s %s\n", name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'storekeep <command> --help' for a command's flags. The flags of serve and migrate,")
	fmt.Fprintln(w, "and every command's --db and --secret-key, can also be set with their STOREKEEP_*")
	fmt.Fprintln(w, "environment variable, e.g. --db is STOREKEEP_DB; other flags are read only from the command line.")
}
