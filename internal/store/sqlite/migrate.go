package sqlite

import (
	"database/sql"
	"embed"
	"io/fs"

	"github.com/pressly/goose/v3"

	"github.com/storekeep/storekeep/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

func newMigrations(db *sql.DB) (*goose.Provider, error) {
	dir, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectSQLite3, db, dir, goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(sqlstore.EmailKeyMigration(emailKeyVersion)))
}

// emailKeyVersion is the migration that moves stored addresses to the
// current address rules.
const emailKeyVersion = 5
