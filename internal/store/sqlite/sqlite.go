// Package sqlite is storekeep's storage on a single SQLite file. It
// implements storekeep.Store with database/sql and the pure-Go driver
// modernc.org/sqlite (see BENCHMARKS.md for why).
//
// The file is opened twice: once through a pool of exactly one connection
// that performs every write, each transaction beginning with BEGIN
// IMMEDIATE, and once through a read-only pool for everything else. The
// journal is WAL, so readers never wait for the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"github.com/storekeep/storekeep"
)

// Options configures Open.
type Options struct {
	// Sealer encrypts queued mail data at rest. Required.
	Sealer storekeep.Sealer
}

// Store is storekeep.Store on SQLite.
type Store struct {
	writer     *pool
	reader     *pool
	migrations *goose.Provider
	sealer     storekeep.Sealer
}

var _ storekeep.Store = (*Store)(nil)

const (
	driver      = "sqlite"
	busyTimeout = 5 * time.Second
)

// Open opens, creating it if needed, the database file at path. It does
// not migrate: call Migrate before use.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.Sealer == nil {
		return nil, errors.New("sqlite: Options.Sealer is required")
	}
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("sqlite: %q is not a plain file path", path)
	}
	common := fmt.Sprintf("?_busy_timeout=%d&_foreign_keys=on&_synchronous=NORMAL", busyTimeout.Milliseconds())

	writer, err := sql.Open(driver, path+common+"&_journal_mode=WAL&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	writer.SetMaxOpenConns(1)
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	reader, err := sql.Open(driver, path+common+"&_query_only=1")
	if err != nil {
		writer.Close()
		return nil, err
	}
	conns := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(conns)
	reader.SetMaxIdleConns(conns)

	migrations, err := newMigrations(writer)
	if err != nil {
		reader.Close()
		writer.Close()
		return nil, err
	}
	return &Store{writer: newPool(writer), reader: newPool(reader), migrations: migrations, sealer: opts.Sealer}, nil
}

// Close closes both connection pools.
func (s *Store) Close() error {
	return errors.Join(s.reader.Close(), s.writer.Close())
}

// Ping reports whether the database answers and every migration has been
// applied.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.reader.PingContext(ctx); err != nil {
		return err
	}
	current, err := s.SchemaCurrent(ctx)
	if err != nil {
		return err
	}
	if !current {
		return errors.New("sqlite: schema is not current; run the migrations")
	}
	return nil
}

// querier is what a *sql.DB and a *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a write transaction on the writer connection and
// commits when fn returns nil. The statements fn ran unprepared are
// prepared afterwards, once the connection is free.
func (s *Store) inTx(ctx context.Context, fn func(tx *txn) error) error {
	sqlTx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &txn{Tx: sqlTx, pool: s.writer}
	defer func() {
		for _, q := range tx.missed {
			s.writer.prepared(context.WithoutCancel(ctx), q)
		}
	}()
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, rbErr)
		}
		return err
	}
	return tx.Commit()
}

// stamp returns t, or the current time when t is zero.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}
