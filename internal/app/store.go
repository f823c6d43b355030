package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	s, err := openUnmigrated(ctx, db, keys)
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

// CheckDB says what is wrong with a --db value before anything is made
// beside it: a URL of a database storekeep does not speak, or a SQLite file
// whose directory is missing, not a directory or not writable. The error
// names the scheme of a URL, never the rest, which may hold a password.
func CheckDB(db string) error {
	if IsPostgres(db) {
		return nil
	}
	if scheme, _, ok := strings.Cut(db, "://"); ok && !strings.ContainsAny(scheme, `/\.`) {
		return fmt.Errorf("--db: storekeep does not support %s:// databases; give a SQLite file path or a postgres:// URL", scheme)
	}
	if db == "" {
		return errors.New("--db: no database given")
	}
	dir := filepath.Dir(db)
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--db %s: the database's directory %s does not exist", db, dir)
	}
	if err != nil {
		return fmt.Errorf("--db %s: the database's directory: %w", db, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("--db %s: %s is not a directory", db, dir)
	}
	probe, err := os.CreateTemp(dir, ".storekeep-probe-*")
	if err != nil {
		return fmt.Errorf("--db %s: the database's directory %s is not writable: %w", db, dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// openUnmigrated opens db, a postgres:// or postgresql:// URL or else a
// SQLite file path, without migrating it.
func openUnmigrated(ctx context.Context, db string, sealer storekeep.Sealer) (Store, error) {
	if err := CheckDB(db); err != nil {
		return nil, err
	}
	if IsPostgres(db) {
		return postgres.Open(ctx, db, postgres.Options{Sealer: sealer})
	}
	return sqlite.Open(ctx, db, sqlite.Options{Sealer: sealer})
}
