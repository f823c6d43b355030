package postgres

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/storekeep/storekeep/internal/store/emailkey"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// newMigrations returns the goose provider for schema, on a database/sql
// handle over pool, and the function that releases that handle. Nodes
// migrating the same schema at once take turns under an advisory lock
// keyed by the schema's name; other schemas are not held up.
func newMigrations(pool *pgxpool.Pool, schema string) (*goose.Provider, func() error, error) {
	dir, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, nil, err
	}
	key := fnv.New64a()
	key.Write([]byte("storekeep migrations " + schema))
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(key.Sum64())), lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, nil, err
	}
	db := stdlib.OpenDBFromPool(pool)
	p, err := goose.NewProvider(goose.DialectPostgres, db, dir,
		goose.WithDisableGlobalRegistry(true), goose.WithSessionLocker(locker),
		goose.WithGoMigrations(emailkey.Migration(emailKeyVersion, `UPDATE customers SET email = $1, email_key = $2 WHERE id = $3`)))
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return p, db.Close, nil
}

// emailKeyVersion is the migration that moves stored addresses to the
// current address rules.
const emailKeyVersion = 3

// Migrate applies every migration the database lacks.
func (s *Store) Migrate(ctx context.Context) error {
	if _, err := s.migrations.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// SchemaCurrent reports whether every migration has been applied.
func (s *Store) SchemaCurrent(ctx context.Context) (bool, error) {
	pending, err := s.migrations.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("postgres: migration status: %w", err)
	}
	return !pending, nil
}
