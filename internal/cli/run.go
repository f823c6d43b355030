// Package cli is storekeep's command line: it turns arguments and STOREKEEP_*
// environment variables into a configuration and runs a command.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

func commands() []command {
	return []command{
		{"serve", "Run the server: the Storefront API, the outbox worker and, without SMTP, the dev mailbox.", setupServe},
		{"migrate", "Apply the database migrations and exit.", setupMigrate},
		{"shop create", "Create a shop.", setupShopCreate},
		{"token create", "Create a Storefront API token for a shop and print it alone on stdout.", setupTokenCreate},
		{"customer create", "Create a customer; without --password the customer is invited by mail.", setupCustomerCreate},
		{"order import", "Import a shop's orders from JSON Lines of Shopify REST Order objects (FILE, or - for stdin).", setupOrderImport},
		{"hash calibrate", "Suggest argon2id parameters (--hash-memory, --hash-time, --hash-threads) for a target time on this machine.", setupHashCalibrate},
		{"audit list", "List the security audit trail, newest first: resets, failed sign-ins, bad tokens, throttling.", setupAuditList},
		{"mail list", "List the outbox, newest first: status, attempts and last error of each mail.", setupMailList},
		{"mail retry", "Queue a mail that was abandoned (status failed) for delivery again.", setupMailRetry},
		{"bench", "Load a running server on this machine: seed customers, then time recover, reset and login.", setupBench},
	}
}

// Run runs the storekeep command args names and returns the process's exit
// code: 0 on success, 2 for a usage error, 1 for any other failure.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	env := &environment{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printHelp(stdout)
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
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		run := c.setup(fs, env)
		fs.Usage = func() {}
		line := strings.TrimSpace(c.name + " [flags] " + env.operandName)
		var err error
		env.operand, err = parse(fs, args[words:], getenv, env.operandName)
		if errors.Is(err, flag.ErrHelp) {
			usage(fs, stdout, line, c.summary)()
			return 0
		}
		if err != nil {
			fmt.Fprintf(stderr, "storekeep %s: %v\n", c.name, err)
			usage(fs, stderr, line, c.summary)()
			return 2
		}
		if err := run(ctx); err != nil {
			if errors.Is(err, errUsage) {
				return 2
			}
			fmt.Fprintf(stderr, "storekeep %s: %v\n", c.name, err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "storekeep: unknown command %q\n\n", strings.Join(args, " "))
	printHelp(stderr)
	return 2
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "storekeep: a self-hosted server for the Shopify Storefront API's customer accounts.")
	fmt.Fprintln(w, "\nusage: storekeep <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-16s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'storekeep <command> --help' for a command's flags. Every flag can also be set")
	fmt.Fprintln(w, "with its STOREKEEP_* environment variable, e.g. --db is STOREKEEP_DB.")
}
