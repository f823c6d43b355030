package sqlite

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/store/storetest"
)

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), path, Options{Sealer: storetest.NewKeyring(t)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func openMigrated(t *testing.T, path string) *Store {
	t.Helper()
	s := open(t, path)
	if err := s.Migrate(t.Context()); err != nil {
		s.Close()
		t.Fatal(err)
	}
	return s
}

// reopenable is a store under test that implements storetest.Reopener.
type reopenable struct {
	*Store
	path string
}

func (r reopenable) Reopen(ctx context.Context, sealer storekeep.Sealer) (storekeep.Store, error) {
	return Open(ctx, r.path, Options{Sealer: sealer})
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storekeep.Store {
		path := filepath.Join(t.TempDir(), "storekeep.db")
		return reopenable{Store: openMigrated(t, path), path: path}
	})
}

func TestOpenRequiresASealerAndAFilePath(t *testing.T) {
	dir := t.TempDir()
	sealer := storetest.NewKeyring(t)
	for _, tc := range []struct {
		path string
		opts Options
	}{
		{filepath.Join(dir, "a.db"), Options{}},
		{"", Options{Sealer: sealer}},
		{":memory:", Options{Sealer: sealer}},
		{"file:" + filepath.Join(dir, "b.db"), Options{Sealer: sealer}},
		{filepath.Join(dir, "c.db") + "?_journal_mode=DELETE", Options{Sealer: sealer}},
	} {
		if s, err := Open(t.Context(), tc.path, tc.opts); err == nil {
			s.Close()
			t.Errorf("Open(%q, sealer %v) succeeded", tc.path, tc.opts.Sealer != nil)
		}
	}
}

func TestPingFailsUntilMigrated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storekeep.db")
	s := open(t, path)
	defer s.Close()
	if err := s.Ping(t.Context()); err == nil {
		t.Fatal("Ping succeeded on an empty database")
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping after Migrate: %v", err)
	}
}

func TestMigrateIsIdempotentAndKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storekeep.db")
	s := openMigrated(t, path)
	if _, err := s.CreateShop(t.Context(), storekeep.Shop{Domain: "a.example"}, storekeep.ShopSecrets{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	s.Close()

	s = openMigrated(t, path)
	defer s.Close()
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ShopByDomain(t.Context(), "a.example"); err != nil {
		t.Fatalf("shop lost across reopen: %v", err)
	}
}

func TestConnectionsAreConfigured(t *testing.T) {
	s := openMigrated(t, filepath.Join(t.TempDir(), "storekeep.db"))
	defer s.Close()
	ctx := t.Context()
	pragmas := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "5000", "synchronous": "1"}
	for name, pool := range map[string]*pool{"writer": s.writer, "reader": s.reader} {
		for pragma, want := range pragmas {
			var got string
			if err := pool.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s: PRAGMA %s = %s, want %s", name, pragma, got, want)
			}
		}
	}
	if n := s.writer.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer pool allows %d connections, want 1", n)
	}
	if _, err := s.reader.ExecContext(ctx, `DELETE FROM mailbox`); err == nil {
		t.Error("the read pool can write")
	}
}

// TestParametersBindByTheirNumber pins what the SQL shared with
// PostgreSQL needs of the driver: "$2" takes the second argument wherever
// it stands in the text. SQLite itself numbers such names in the order
// they first appear, and drivers that bind that way (mattn's and ncruces'
// do) would pass statements that name "$2" before "$1" the wrong values.
func TestParametersBindByTheirNumber(t *testing.T) {
	s := openMigrated(t, filepath.Join(t.TempDir(), "storekeep.db"))
	defer s.Close()
	for name, pool := range map[string]*pool{"writer": s.writer, "reader": s.reader} {
		var second, first int
		if err := pool.QueryRowContext(t.Context(), `SELECT $2, $1`, 1, 2).Scan(&second, &first); err != nil {
			t.Fatal(err)
		}
		if second != 2 || first != 1 {
			t.Errorf("%s: SELECT $2, $1 with (1, 2) gave (%d, %d), want (2, 1)", name, second, first)
		}
	}
}

// TestFileHoldsNoClearToken issues a reset token whose mail carries the
// clear link and reads the database file and its WAL byte by byte.
func TestFileHoldsNoClearToken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storekeep.db")
	s := openMigrated(t, path)
	ctx := t.Context()
	keys := storetest.NewKeyring(t)
	shop, err := s.CreateShop(ctx, storekeep.Shop{Domain: "a.example", Name: "A"}, storekeep.ShopSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateCustomer(ctx, storekeep.Customer{ShopID: shop.ID, Email: "ada@example.com", EmailKey: "ada@example.com", State: storekeep.CustomerEnabled})
	if err != nil {
		t.Fatal(err)
	}
	token, err := keys.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err = s.IssueCustomerToken(ctx, storekeep.CustomerToken{ShopID: shop.ID, CustomerID: c.ID, Purpose: storekeep.PurposeReset, Hash: keys.Hash(token), ExpiresAt: now.Add(time.Hour)}, storekeep.Mail{ShopID: shop.ID, To: c.Email, Template: storekeep.TemplateReset, Locale: "en", MessageID: "<m@a.example>",
		Data: storekeep.MailData{URL: "https://a.example/account/reset/1/" + token}}, storekeep.AuditEvent{ShopID: shop.ID, CustomerID: c.ID, Kind: storekeep.AuditRecoverRequested}, 0)

	if err != nil {
		t.Fatal(err)
	}

	files := func() []byte {
		var all []byte
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(path + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	check := func(when string) {
		t.Helper()
		all := files()
		if !bytes.Contains(all, []byte("ada@example.com")) {
			t.Fatalf("%s: the files do not hold the recipient either; reading the wrong files?", when)
		}
		for _, clear := range []string{token, "account/reset"} {
			if bytes.Contains(all, []byte(clear)) {
				t.Errorf("%s: %q is on disk", when, clear)
			}
		}
	}
	check("before checkpoint")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check("after close")
}

// TestUpgradeFromTheFirstSchemaKeepsShops migrates a database that has
// only the first migration and data in it.
func TestUpgradeFromTheFirstSchemaKeepsShops(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "storekeep.db"))
	defer s.Close()
	ctx := t.Context()
	if _, err := s.migrations.UpTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.ExecContext(ctx, `INSERT INTO shops (domain, name, storefront_url, enumeration, created_at)
		VALUES ('a.example', 'A', 'https://a.example', 'private', 1)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping succeeded with a migration pending")
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := s.ShopByDomain(ctx, "a.example")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "A" || got.MailFrom != "" || got.ReplyTo != "" || got.Locale != "" {
		t.Errorf("upgraded shop = %+v, want A with no mail settings", got)
	}
}

func TestEmailKeyMigration(t *testing.T) {
	storetest.EmailKeyMigration(t, func(t *testing.T) (storetest.LegacyCustomers, func(context.Context) error) {
		s := open(t, filepath.Join(t.TempDir(), "storekeep.db"))
		if _, err := s.migrations.UpTo(t.Context(), emailKeyVersion-1); err != nil {
			t.Fatal(err)
		}
		return s, s.Migrate
	})
}

func TestEveryConnectionOfBothPoolsHasTheConfiguredPageCache(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		mib  int
		want int64
	}{
		{0, -DefaultCacheMiB << 10},
		{3, -3 << 10},
		{MaxCacheMiB, -MaxCacheMiB << 10},
	} {
		s, err := Open(t.Context(), filepath.Join(dir, "cache.db"), Options{Sealer: storetest.NewKeyring(t), CacheMiB: tc.mib})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.CacheSizes(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if readers := s.reader.Stats(); readers.OpenConnections != readers.MaxOpenConnections || len(got) != 1+readers.MaxOpenConnections {
			t.Errorf("CacheMiB %d: %d sizes read, %d of %d readers open; want the writer and every reader", tc.mib, len(got), readers.OpenConnections, readers.MaxOpenConnections)
		}
		for i, kib := range got {
			if kib != tc.want {
				t.Errorf("CacheMiB %d: connection %d of %d has cache_size %d, want %d", tc.mib, i, len(got), kib, tc.want)
			}
		}
		s.Close()
	}
}

func TestTheWriterKeepsItsTemporaryJournalsInMemory(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "temp.db"), Options{Sealer: storetest.NewKeyring(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var store int
	if err := s.writer.DB.QueryRowContext(t.Context(), `PRAGMA temp_store`).Scan(&store); err != nil {
		t.Fatal(err)
	}
	if store != 2 {
		t.Errorf("writer's temp_store = %d, want 2 (MEMORY): a batch's statement journal would go to a file", store)
	}
}

func TestOpenRefusesAPageCacheOutsideItsBounds(t *testing.T) {
	for _, mib := range []int{-1, MaxCacheMiB + 1} {
		s, err := Open(t.Context(), filepath.Join(t.TempDir(), "c.db"), Options{Sealer: storetest.NewKeyring(t), CacheMiB: mib})
		if err == nil {
			s.Close()
			t.Errorf("CacheMiB %d: opened", mib)
		} else if !strings.Contains(err.Error(), "CacheMiB") {
			t.Errorf("CacheMiB %d: %v, want the setting named", mib, err)
		}
	}
}
