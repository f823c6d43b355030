package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"

	"github.com/storekeep/storekeep/internal/store/emailkey"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

func newMigrations(db *sql.DB) (*goose.Provider, error) {
	dir, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectSQLite3, db, dir, goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(emailkey.Migration(emailKeyVersion, `UPDATE customers SET email = ?, email_key = ? WHERE id = ?`)))
}

// emailKeyVersion is the migration that moves stored addresses to the
// current address rules.
const emailKeyVersion = 4

// Migrate applies every migration the database lacks.
func (s *Store) Migrate(ctx context.Context) error {
	if _, err := s.migrations.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// SchemaCurrent reports whether every migration has been applied.
func (s *Store) SchemaCurrent(ctx context.Context) (bool, error) {
	pending, err := s.migrations.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("sqlite: migration status: %w", err)
	}
	return !pending, nil
}
