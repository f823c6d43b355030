package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/storekeep/storekeep/internal/store/storetest"
)

// TestUpgradeTurnsQueuedRecoverRequestsIntoJobs migrates a database whose
// outbox holds a recover request queued as a row of template
// recover_request, as before outbox rows had a kind.
func TestUpgradeTurnsQueuedRecoverRequestsIntoJobs(t *testing.T) {
	ctx := t.Context()
	keys := storetest.NewKeyring(t)
	s, err := Open(ctx, filepath.Join(t.TempDir(), "storekeep.db"), Options{Sealer: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.migrations.UpTo(ctx, 3); err != nil {
		t.Fatal(err)
	}
	data := storetest.LegacyRecoverRequest(t, keys)
	if _, err := s.writer.ExecContext(ctx, `INSERT INTO shops (domain, name, storefront_url, enumeration, created_at)
		VALUES ('a.example', 'A', 'https://a.example', 'private', 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.ExecContext(ctx, `INSERT INTO outbox (shop_id, recipient, template, locale, data, message_id,
			status, next_attempt_at, created_at)
		VALUES (1, 'ada@example.com', 'recover_request', 'fr', $1, '', 'pending', 1, 1)`, data); err != nil {
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
		s := open(t, filepath.Join(t.TempDir(), "storekeep.db"))
		if _, err := s.migrations.UpTo(t.Context(), verifiedEmailVersion-1); err != nil {
			t.Fatal(err)
		}
		return s, s.Migrate
	})
}

// customerVersionVersion is the migration that gives customers a
// version.
const customerVersionVersion = 80

func TestCustomerVersionMigration(t *testing.T) {
	storetest.CustomerVersionMigration(t, func(t *testing.T) (storetest.LegacyCustomers, func(context.Context) error, func(context.Context) error) {
		s := open(t, filepath.Join(t.TempDir(), "storekeep.db"))
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
