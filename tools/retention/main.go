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
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/store/sqlstore"
)

func main() {
	days := flag.Int("days", 21, "simulated days")
	retention := flag.Duration("retention", 7*24*time.Hour, "how long mail, audit events and expired tokens are kept")
	mail := flag.Int("mail", 142_858, "sent outbox rows a day")
	audit := flag.Int("audit", 111_112, "audit events a day")
	batch := flag.Int("batch", 1000, "rows a pruning statement deletes")
	db := flag.String("db", "", "a postgres:// URL whose search_path names an empty schema, or a directory for the SQLite file (default: a temporary one)")
	flag.Parse()
	if *db == "" {
		d, err := os.MkdirTemp("", "retention")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		*db = d
	}
	ctx := context.Background()
	s, err := openBackend(ctx, *db)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	shop, err := s.CreateShop(ctx, storekeep.Shop{Domain: "week.example", Name: "Week", StorefrontURL: "https://week.example",
		Enumeration: storekeep.EnumerationPrivate})
	if err != nil {
		log.Fatal(err)
	}
	start := time.Now().Add(-time.Duration(*days) * 24 * time.Hour)
	fmt.Println("| day | rows pruned | size | free pages | batches | batch p50 | batch max |")
	fmt.Println("|-----|-------------|-----------|------------|---------|-----------|-----------|")
	for day := 1; day <= *days; day++ {
		now := start.Add(time.Duration(day) * 24 * time.Hour)
		if err := s.SeedHistory(ctx, sqlstore.History{ShopID: shop.ID, Customers: 1_000, PasswordHash: "seeded",
			SentMail: *mail, MailSpan: 24 * time.Hour, AuditEvents: *audit, AuditSpan: 24 * time.Hour,
			Now: now, Tag: fmt.Sprint(day)}); err != nil {
			log.Fatal(err)
		}
		cutoff := now.Add(-*retention)
		var took []time.Duration
		pruned := 0
		for _, prune := range []func(context.Context, time.Time, int) (int, error){s.PruneMail, s.PruneAudit, s.PruneTokens} {
			for {
				t := time.Now()
				n, err := prune(ctx, cutoff, *batch)
				if err != nil {
					log.Fatal(err)
				}
				took = append(took, time.Since(t))
				pruned += n
				if n < *batch {
					break
				}
			}
		}
		if err := s.settle(ctx); err != nil {
			log.Fatal(err)
		}
		bytes, free, err := s.size(ctx)
		if err != nil {
			log.Fatal(err)
		}
		slices.Sort(took)
		fmt.Printf("| %d | %d | %.0f MB | %s | %d | %s | %s |\n", day, pruned, float64(bytes)/1e6, freeText(free), len(took),
			took[len(took)/2].Round(10*time.Microsecond), took[len(took)-1].Round(10*time.Microsecond))
	}
}

// freeText renders a count of free pages, or a dash where there is none.
func freeText(n int64) string {
	if n < 0 {
		return "—"
	}
	return fmt.Sprint(n)
}
