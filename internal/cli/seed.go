package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/store/sqlstore"
	"github.com/storekeep/storekeep/password"
)

// historySeeder is a store that SeedHistory can fill.
type historySeeder interface {
	SeedHistory(ctx context.Context, h sqlstore.History) error
}

func setupSeed(fs *flag.FlagSet, env *environment) func(context.Context) error {
	var d dbFlags
	d.define(fs)
	shopDomain := fs.String("shop", "", "the shop to fill, which must exist (required)")
	customers := fs.Int("customers", 1_000_000, "enabled customers to add to the shop")
	pass := fs.String("password", "history-password", "the added customers' password")
	sent := fs.Int("sent-mail", 1_000_000, "sent outbox rows (half recover jobs, half reset mails, each mail with its spent reset token) queued over --mail-span")
	mailSpan := fs.Duration("mail-span", 7*24*time.Hour-time.Hour, "how far back the sent mail goes; keep it inside the node's --mail-retention")
	audit := fs.Int("audit-events", 10_000_000, "audit events spread over --audit-span")
	auditSpan := fs.Duration("audit-span", 90*24*time.Hour-time.Hour, "how far back the audit events go; keep it inside the node's --audit-retention")
	access := fs.Int("access-tokens", 100_000, "live customer access tokens")
	return func(ctx context.Context) error {
		if err := required("shop", *shopDomain); err != nil {
			return err
		}
		if *customers < 1 || *sent < 0 || *audit < 0 || *access < 0 {
			return errors.New("--customers must be at least 1 and the other counts at least 0")
		}
		if err := loopbackDatabase(d.db); err != nil {
			return err
		}
		hasher, err := password.NewHasher(password.DefaultParams, 0, 0)
		if err != nil {
			return err
		}
		hash, err := hasher.Hash(ctx, *pass)
		if err != nil {
			return err
		}
		store, _, shop, err := d.openShop(ctx, env, *shopDomain)
		if err != nil {
			return err
		}
		defer store.Close()
		seeder, ok := store.(historySeeder)
		if !ok {
			return errors.New("this database cannot be seeded")
		}
		start := time.Now()
		err = seeder.SeedHistory(ctx, sqlstore.History{
			ShopID: shop.ID, Customers: *customers, PasswordHash: hash, SentMail: *sent, MailSpan: *mailSpan,
			AuditEvents: *audit, AuditSpan: *auditSpan, AccessTokens: *access, AccessTTL: account.DefaultConfig().AccessTokenTTL,
			Now: time.Now(), Tag: fmt.Sprintf("%x", start.UnixNano()),
			Progress: func(table string, done, total int) {
				if done == total || done%1_000_000 == 0 {
					fmt.Fprintf(env.stderr, "%s: %d/%d rows (%s)\n", table, done, total, time.Since(start).Round(time.Millisecond))
				}
			},
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "seeded %s in %s\n", shop.Domain, time.Since(start).Round(time.Millisecond))
		return nil
	}
}

// loopbackDatabase refuses a PostgreSQL URL whose host is not on this
// machine: seeding writes millions of rows and is for a bench database.
func loopbackDatabase(db string) error {
	if !app.IsPostgres(db) {
		return nil
	}
	u, err := url.Parse(db)
	if err != nil {
		return fmt.Errorf("--db: %w", err)
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.Unmap().IsLoopback() {
		return nil
	}
	return fmt.Errorf("--db: seed writes only to a database on this machine (loopback), not %q", host)
}
