package postgres

import (
	"database/sql"
	"embed"
	"hash/fnv"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/storekeep/storekeep/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// newMigrations returns the goose provider for schema. Nodes migrating the
// same schema at once take turns under an advisory lock keyed by the
// schema's name; other schemas are not held up.
func newMigrations(db *sql.DB, schema string) (*goose.Provider, error) {
	dir, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	key := fnv.New64a()
	key.Write([]byte("storekeep migrations " + schema))
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(key.Sum64())), lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, dir,
		goose.WithDisableGlobalRegistry(true), goose.WithSessionLocker(locker),
		goose.WithGoMigrations(sqlstore.EmailKeyMigration(emailKeyVersion)))
}

// emailKeyVersion is the migration that moves stored addresses to the
// current address rules.
const emailKeyVersion = 4
