// Command retention simulates days of a node's traffic on a SQLite file or
// a PostgreSQL schema and prunes it as the outbox worker does, to show how
// the database grows until the retention is reached and what one pruning
// batch costs:
//
//	go run ./tools/retention -days 21 -retention 168h
//	go run ./tools/retention -days 16 -db 'postgres://localhost/test?search_path=retention'
//
// Each simulated day adds -mail sent outbox rows (half jobs, half mails,
// each mail with its spent reset token) and -audit audit events, spread
// over the day, then prunes mail, audit events and tokens older than the
// retention in batches of -batch rows, timing each batch. On PostgreSQL it
// then runs VACUUM on the pruned tables, autovacuum's work over a day. It
// prints, per day, the database's size (SQLite: the file; PostgreSQL: the
// schema's tables with their indexes and TOAST), SQLite's free pages and
// the slowest batch. The PostgreSQL schema must exist and be empty.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/store/sqlstore"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "retention:", err)
		os.Exit(1)
	}
}

// run parses args, simulates the days they ask for and writes the table
// to stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("retention", flag.ContinueOnError)
	days := flags.Int("days", 21, "simulated days")
	retention := flags.Duration("retention", 7*24*time.Hour, "how long mail, audit events and expired tokens are kept")
	mail := flags.Int("mail", 142_858, "sent outbox rows a day")
	audit := flags.Int("audit", 111_112, "audit events a day")
	batch := flags.Int("batch", 1000, "rows a pruning statement deletes")
	db := flags.String("db", "", "a postgres:// URL whose search_path names an empty schema, or a directory for the SQLite file (default: a temporary one)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *days < 1 || *batch < 1 || *mail < 0 || *audit < 0 || *retention <= 0 {
		return errors.New("-days and -batch must be at least 1, -mail and -audit not negative, -retention positive")
	}
	if *db == "" {
		d, err := os.MkdirTemp("", "retention")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*db = d
	}
	s, err := openBackend(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return err
	}
	shop, err := s.CreateShop(ctx, storekeep.Shop{Domain: "week.example", Name: "Week", StorefrontURL: "https://week.example",
		Enumeration: storekeep.EnumerationPrivate}, storekeep.ShopSecrets{})
	if err != nil {
		return err
	}
	start := time.Now().Add(-time.Duration(*days) * 24 * time.Hour)
	fmt.Fprintln(stdout, "| day | rows pruned | size | free pages | batches | batch p50 | batch max |")
	fmt.Fprintln(stdout, "|-----|-------------|-----------|------------|---------|-----------|-----------|")
	for day := 1; day <= *days; day++ {
		now := start.Add(time.Duration(day) * 24 * time.Hour)
		if err := s.SeedHistory(ctx, sqlstore.History{ShopID: shop.ID, Customers: 1_000, PasswordHash: "seeded",
			SentMail: *mail, MailSpan: 24 * time.Hour, AuditEvents: *audit, AuditSpan: 24 * time.Hour,
			Now: now, Tag: fmt.Sprint(day)}); err != nil {
			return err
		}
		pruned, took, err := pruneDay(ctx, s, now.Add(-*retention), *batch)
		if err != nil {
			return err
		}
		if err := s.settle(ctx); err != nil {
			return err
		}
		bytes, free, err := s.size(ctx)
		if err != nil {
			return err
		}
		slices.Sort(took)
		fmt.Fprintf(stdout, "| %d | %d | %.0f MB | %s | %d | %s | %s |\n", day, pruned, float64(bytes)/1e6, freeText(free),
			len(took), took[len(took)/2].Round(10*time.Microsecond), took[len(took)-1].Round(10*time.Microsecond))
	}
	return nil
}

// pruneDay prunes mail, audit events and tokens older than cutoff in
// batches of batch rows, as the worker does, and returns the rows pruned
// and each batch's time.
func pruneDay(ctx context.Context, s *backend, cutoff time.Time, batch int) (int, []time.Duration, error) {
	var took []time.Duration
	pruned := 0
	for _, prune := range []func(context.Context, time.Time, int) (int, error){s.PruneMail, s.PruneAudit, s.PruneTokens} {
		for {
			t := time.Now()
			n, err := prune(ctx, cutoff, batch)
			if err != nil {
				return 0, nil, err
			}
			took = append(took, time.Since(t))
			pruned += n
			if n < batch {
				break
			}
		}
	}
	return pruned, took, nil
}

// freeText renders a count of free pages, or a dash where there is none.
func freeText(n int64) string {
	if n < 0 {
		return "—"
	}
	return fmt.Sprint(n)
}
