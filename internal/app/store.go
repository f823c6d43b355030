package app

import (
	"context"
	"strings"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/secret"
	"github.com/storekeep/storekeep/internal/store/postgres"
	"github.com/storekeep/storekeep/internal/store/sqlite"
)

// Store is a storage backend that can also migrate its schema.
type Store interface {
	storekeep.Store
	Migrate(ctx context.Context) error
}

// OpenStore opens the database db names, migrates it, and makes sure keys
// can read what it holds (ErrWrongKey otherwise).
func OpenStore(ctx context.Context, db string, keys *secret.Keyring) (Store, error) {
	return openStore(ctx, db, keys, 0)
}

// openStore is OpenStore with a SQLite page cache of cacheMiB a connection
// (zero: the default).
func openStore(ctx context.Context, db string, keys *secret.Keyring, cacheMiB int) (Store, error) {
	s, err := openUnmigrated(ctx, db, keys, cacheMiB)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := claimKeys(ctx, s, keys, time.Now()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openUnmigrated opens db, a postgres:// or postgresql:// URL or else a
// SQLite file path, without migrating it.
func openUnmigrated(ctx context.Context, db string, sealer storekeep.Sealer, cacheMiB int) (Store, error) {
	if IsPostgres(db) {
		return postgres.Open(ctx, db, postgres.Options{Sealer: sealer})
	}
	return sqlite.Open(ctx, db, sqlite.Options{Sealer: sealer, CacheMiB: cacheMiB})
}

// IsPostgres reports whether a --db value names a PostgreSQL database.
func IsPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}
