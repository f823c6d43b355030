package main

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/secret"
	"github.com/storekeep/storekeep/internal/store/postgres"
	"github.com/storekeep/storekeep/internal/store/sqlite"
	"github.com/storekeep/storekeep/internal/store/sqlstore"
)

// simulated is what the simulation asks of a store.
type simulated interface {
	Migrate(ctx context.Context) error
	CreateShop(ctx context.Context, s storekeep.Shop, secrets storekeep.ShopSecrets) (storekeep.Shop, error)
	SeedHistory(ctx context.Context, h sqlstore.History) error
	PruneMail(ctx context.Context, cutoff time.Time, limit int) (int, error)
	PruneAudit(ctx context.Context, cutoff time.Time, limit int) (int, error)
	PruneTokens(ctx context.Context, cutoff time.Time, limit int) (int, error)
	Close() error
}

// backend is a store under simulation and how its size is read.
type backend struct {
	simulated
	// size returns the bytes the database takes and the pages it holds
	// free for the next inserts (-1 where the engine does not count them).
	size func(ctx context.Context) (bytes, free int64, err error)
	// settle does what the database does by itself over a day between
	// prunes: nothing on SQLite, which reuses freed pages at once;
	// autovacuum's VACUUM of the pruned tables on PostgreSQL.
	settle func(ctx context.Context) error
	// db is the PostgreSQL handle size and settle use; nil on SQLite.
	db *sql.DB
}

// Close closes the store, and the handle beside it.
func (b *backend) Close() error {
	err := b.simulated.Close()
	if b.db != nil {
		err = errors.Join(err, b.db.Close())
	}
	return err
}

// prunedTables are the tables a prune deletes from.
var prunedTables = []string{"outbox", "audit_events", "customer_tokens", "access_tokens"}

// openBackend opens db, a postgres:// URL whose search_path names an
// existing, empty schema, or else a directory for a new SQLite file.
func openBackend(ctx context.Context, db string) (*backend, error) {
	key, err := secret.NewKey()
	if err != nil {
		return nil, err
	}
	ring, err := secret.New(key)
	if err != nil {
		return nil, err
	}
	if app.IsPostgres(db) {
		return openPostgres(ctx, db, ring)
	}
	path := filepath.Join(db, "retention.db")
	s, err := sqlite.Open(ctx, path, sqlite.Options{Sealer: ring})
	if err != nil {
		return nil, err
	}
	size := func(ctx context.Context) (int64, int64, error) {
		info, err := os.Stat(path)
		if err != nil {
			return 0, 0, err
		}
		free, err := s.FreePages(ctx)
		return info.Size(), free, err
	}
	return &backend{simulated: s, size: size, settle: func(context.Context) error { return nil }}, nil
}

func openPostgres(ctx context.Context, url string, ring *secret.Keyring) (*backend, error) {
	s, err := postgres.Open(ctx, url, postgres.Options{Sealer: ring})
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		s.Close()
		return nil, err
	}
	db.SetMaxOpenConns(1)
	size := func(ctx context.Context) (int64, int64, error) {
		var bytes int64
		err := db.QueryRowContext(ctx, `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = current_schema() AND c.relkind = 'r'`).Scan(&bytes)
		return bytes, -1, err
	}
	settle := func(ctx context.Context) error {
		_, err := db.ExecContext(ctx, "VACUUM "+strings.Join(prunedTables, ", "))
		return err
	}
	return &backend{simulated: s, size: size, settle: settle, db: db}, nil
}
