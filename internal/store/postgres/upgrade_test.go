package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep/internal/store/postgres/pgtest"
	"github.com/storekeep/storekeep/internal/store/storetest"
)

// TestUpgradeTurnsQueuedRecoverRequestsIntoJobs migrates a database whose
// outbox holds a recover request queued as a row of template
// recover_request, as before outbox rows had a kind.
func TestUpgradeTurnsQueuedRecoverRequestsIntoJobs(t *testing.T) {
	ctx := t.Context()
	keys := storetest.NewKeyring(t)
	s, err := Open(ctx, pgtest.URL(t), Options{Sealer: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.migrations.UpTo(ctx, 2); err != nil {
		t.Fatal(err)
	}
	data := storetest.LegacyRecoverRequest(t, keys)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO shops (domain, name, storefront_url, enumeration, created_at)
		VALUES ('a.example', 'A', 'https://a.example', 'private', now())`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO outbox (shop_id, recipient, template, locale, data, message_id,
			status, next_attempt_at, created_at)
		VALUES (1, 'ada@example.com', 'recover_request', 'fr', $1, '', 'pending', now(), now())`, data); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.ClaimsLegacyRecoverRequest(t, s)
}

// verifiedEmailVersion is the migration after which customers prove their
// address.
const verifiedEmailVersion = 60

func TestVerifiedEmailMigration(t *testing.T) {
	storetest.VerifiedEmailMigration(t, func(t *testing.T) (storetest.LegacyOrders, func(context.Context) error) {
		s := open(t, pgtest.URL(t))
		if _, err := s.migrations.UpTo(t.Context(), verifiedEmailVersion-1); err != nil {
			t.Fatal(err)
		}
		return s, s.Migrate
	})
}

// Migration 72 replaces the index of a customer's access tokens, which
// every signed-in request reads through. Built while nodes still serve (a
// rolling restart whose nodes migrate on start), it must not lock readers
// out for the time the index takes to build: a reader that waits 50 ms
// for a lock fails here.
func TestTheAccessTokenIndexIsRebuiltWithoutLockingReaders(t *testing.T) {
	s := open(t, pgtest.URL(t))
	defer s.Close()
	ctx := t.Context()
	if _, err := s.migrations.UpTo(ctx, 71); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO shops (domain, name, storefront_url, enumeration, created_at) VALUES ('a.example', 'A', 'https://a.example', 'private', now())`,
		`INSERT INTO customers (shop_id, email, email_key, first_name, last_name, phone, accepts_marketing, tags, state,
			password_hash, number_of_orders, created_at, updated_at)
			SELECT 1, 'c' || g || '@example.com', 'c' || g || '@example.com', '', '', '', false, '[]', 'enabled', '', 0, now(), now()
			FROM generate_series(1, 1000) g`,
		`INSERT INTO access_tokens (shop_id, customer_id, hash, expires_at, created_at)
			SELECT 1, 1 + g % 1000, decode(md5(g::text), 'hex'), now() + interval '30 days', now()
			FROM generate_series(1, 400000) g`,
		`ANALYZE access_tokens`,
	} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	migrated := make(chan error, 1)
	go func() { migrated <- s.Migrate(context.Background()) }()
	probes, blocked := 0, 0
	for done := false; !done; {
		select {
		case err := <-migrated:
			if err != nil {
				t.Fatal(err)
			}
			done = true
		default:
		}
		probes++
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '50ms'`); err != nil {
			t.Fatal(err)
		}
		var n int
		err = tx.QueryRowContext(ctx, `SELECT count(*) FROM access_tokens WHERE customer_id = 7 AND revoked_at IS NULL`).Scan(&n)
		tx.Rollback()
		if err != nil && strings.Contains(err.Error(), "lock timeout") {
			blocked++
		} else if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if blocked > 0 {
		t.Fatalf("while the migrations ran, %d of %d reads of a customer's access tokens waited over 50 ms for a lock", blocked, probes)
	}
	var valid bool
	if err := s.db.QueryRowContext(ctx, `SELECT indisvalid FROM pg_index WHERE indexrelid = 'access_tokens_open'::regclass`).Scan(&valid); err != nil || !valid {
		t.Fatalf("access_tokens_open after the migration: valid %v, %v", valid, err)
	}
}

// Migration 72 runs outside a transaction, so each of its directions must
// leave one of the two indexes whatever state it starts from.
func TestMigration72GoesDownAndUpAgain(t *testing.T) {
	s := openMigrated(t, pgtest.URL(t))
	defer s.Close()
	ctx := t.Context()
	if _, err := s.migrations.DownTo(ctx, 71); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname IN ('access_tokens_open', 'access_tokens_customer')`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("indexes after down and up: %d %v", n, err)
	}
}

// customerVersionVersion is the migration that gives customers a
// version.
const customerVersionVersion = 80

func TestCustomerVersionMigration(t *testing.T) {
	storetest.CustomerVersionMigration(t, func(t *testing.T) (storetest.LegacyCustomers, func(context.Context) error, func(context.Context) error) {
		s := open(t, pgtest.URL(t))
		if _, err := s.migrations.UpTo(t.Context(), customerVersionVersion-1); err != nil {
			t.Fatal(err)
		}
		down := func(ctx context.Context) error {
			_, err := s.migrations.DownTo(ctx, customerVersionVersion-1)
			return err
		}
		return s, s.Migrate, down
	})
}
