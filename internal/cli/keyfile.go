package cli

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/secret"
)

// keyFile is where storekeep keeps the server key of a SQLite database
// when none is configured: beside the database, readable by its owner only.
func keyFile(db string) string { return db + ".key" }

// loadKeys returns the server keys, newest first: those of configured (a
// comma-separated base64 list) if set; otherwise, for SQLite, the key in
// keyFile(db), created with the database: a database file without its
// key file is refused, since a new key could read nothing in it. PostgreSQL deployments share one
// configured key between nodes, so there it must be given.
func loadKeys(db, configured string) (keys [][]byte, generated bool, err error) {
	if err := checkDB(db); err != nil {
		return nil, false, err
	}
	if configured != "" {
		keys, err = secret.ParseKeys(configured)
		return keys, false, err
	}
	if app.IsPostgres(db) {
		return nil, false, errors.New("--secret-key (STOREKEEP_SECRET_KEY) is required with PostgreSQL: every node must share it")
	}
	path := keyFile(db)
	raw, err := readSecretFile(path)
	if err == nil {
		keys, err = secret.ParseKeys(strings.TrimSpace(string(raw)))
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", path, err)
		}
		return keys, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	if _, err := os.Stat(db); err == nil {
		return nil, false, fmt.Errorf("%s exists but its key file %s does not: the tokens and queued mail in it can only be "+
			"read with the key they were written with, so no new key is made for it. Restore %s from your backup, "+
			"or give the key with --secret-key (STOREKEEP_SECRET_KEY)", db, path, path)
	}
	key, err := secret.NewKey()
	if err != nil {
		return nil, false, err
	}
	if err := publishKey(path, key); errors.Is(err, fs.ErrExist) {
		return loadKeys(db, configured)
	} else if err != nil {
		return nil, false, err
	}
	return [][]byte{key}, true, nil
}

// publishKey writes key to path atomically: written in full beside it,
// then linked into place, so a concurrent reader never sees half a key and
// two starters never both win.
func publishKey(path string, key []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".storekeep-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(base64.RawURLEncoding.EncodeToString(key) + "\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Link(tmp.Name(), path)
}

// checkDB says what is wrong with a --db value before anything is made
// beside it: a URL of a database storekeep does not speak, or a SQLite file
// whose directory is missing, not a directory or not writable. The error
// names the scheme of a URL, never the rest, which may hold a password.
func checkDB(db string) error {
	if app.IsPostgres(db) {
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
