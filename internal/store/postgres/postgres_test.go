package postgres

import (
	"context"
	"net/url"
	"sync"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/store/postgres/pgtest"
	"github.com/storekeep/storekeep/internal/store/storetest"
)

func open(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(t.Context(), url, Options{Sealer: storetest.NewKeyring(t)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func openMigrated(t *testing.T, url string) *Store {
	t.Helper()
	s := open(t, url)
	if err := s.Migrate(t.Context()); err != nil {
		s.Close()
		t.Fatal(err)
	}
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storekeep.Store {
		url := pgtest.URL(t)
		return reopenable{Store: openMigrated(t, url), url: url}
	})
}

func TestOpenChecksItsOptions(t *testing.T) {
	db := pgtest.URL(t)
	sealer := storetest.NewKeyring(t)
	for _, tc := range []struct {
		what string
		url  string
		opts Options
	}{
		{"no sealer", db, Options{}},
		{"negative MaxConns", db, Options{Sealer: sealer, MaxConns: -1}},
		{"a URL that does not parse", "postgres://[::1", Options{Sealer: sealer}},
	} {
		if s, err := Open(t.Context(), tc.url, tc.opts); err == nil {
			s.Close()
			t.Errorf("Open with %s succeeded", tc.what)
		}
	}
	s, err := Open(t.Context(), db, Options{Sealer: sealer, MaxConns: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := s.db.Stats().MaxOpenConnections; n != 3 {
		t.Errorf("pool allows %d connections, want 3", n)
	}
}

func TestOpenFailsWhenTheSearchPathNamesNoSchema(t *testing.T) {
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", "sk_nowhere")
	u.RawQuery = q.Encode()
	if s, err := Open(t.Context(), u.String(), Options{Sealer: storetest.NewKeyring(t)}); err == nil {
		s.Close()
		t.Fatal("Open succeeded with a search_path of no existing schema")
	}
}

func TestPingFailsUntilMigrated(t *testing.T) {
	s := open(t, pgtest.URL(t))
	defer s.Close()
	if err := s.Ping(t.Context()); err == nil {
		t.Fatal("Ping succeeded on an empty schema")
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping after Migrate: %v", err)
	}
}

func TestMigrateIsIdempotentKeepsDataAndStaysInItsSchema(t *testing.T) {
	db := pgtest.URL(t)
	s := openMigrated(t, db)
	if _, err := s.CreateShop(t.Context(), storekeep.Shop{Domain: "a.example"}, storekeep.ShopSecrets{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	s.Close()

	s = openMigrated(t, db)
	defer s.Close()
	if _, err := s.ShopByDomain(t.Context(), "a.example"); err != nil {
		t.Fatalf("shop lost across reopen: %v", err)
	}
	var schema string
	var tables int
	err := s.db.QueryRowContext(t.Context(), `SELECT current_schema(), count(*) FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_name IN ('goose_db_version', 'shops', 'outbox')`).Scan(&schema, &tables)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(db)
	if err != nil {
		t.Fatal(err)
	}
	if want := u.Query().Get("search_path"); schema != want || tables != 3 {
		t.Errorf("schema %s holds %d of goose_db_version, shops and outbox, want all 3 in %s", schema, tables, want)
	}
}

func TestNodesMigratingOneSchemaAtOnceTakeTurns(t *testing.T) {
	db := pgtest.URL(t)
	const nodes = 4
	stores := make([]*Store, nodes)
	for i := range stores {
		stores[i] = open(t, db)
		defer stores[i].Close()
	}
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() { errs[i] = s.Migrate(context.Background()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("node %d: %v", i, err)
		}
	}
	for i, s := range stores {
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("node %d: %v", i, err)
		}
	}
}

func TestEmailKeyMigration(t *testing.T) {
	storetest.EmailKeyMigration(t, func(t *testing.T) (storetest.LegacyCustomers, func(context.Context) error) {
		s := open(t, pgtest.URL(t))
		var schema string
		if err := s.db.QueryRowContext(t.Context(), `SELECT current_schema()`).Scan(&schema); err != nil {
			t.Fatal(err)
		}
		migrations, err := newMigrations(s.db, schema)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := migrations.UpTo(t.Context(), emailKeyVersion-1); err != nil {
			t.Fatal(err)
		}
		return s, s.Migrate
	})
}
