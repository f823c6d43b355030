// Package sqlstore is storekeep.Store written once in SQL over
// database/sql, for every database the server runs on. What differs
// between databases is a Dialect value; how connections are opened,
// pooled and migrated is up to the package that opens them
// (internal/store/sqlite, internal/store/postgres).
//
// Statements use $n placeholders, which both PostgreSQL and SQLite read.
// Every write goes through the Writer, every read through the Reader.
// Every multi-statement operation runs in one transaction; under
// PostgreSQL it is READ COMMITTED, and the conditional UPDATEs that decide
// races are explained where they are.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/groupcommit"
)

// Querier is what a pool and a transaction have in common.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Writer is the pool that performs every write.
type Writer interface {
	Querier
	// InTx runs fn in a transaction and commits when fn returns nil.
	InTx(ctx context.Context, fn func(tx Querier) error) error
}

// Config is what New needs.
type Config struct {
	Dialect Dialect
	Writer  Writer
	Reader  Querier
	// Sealer encrypts queued mail data at rest.
	Sealer storekeep.Sealer
	// Migrations brings the schema up to date.
	Migrations *goose.Provider
	// Close releases the pools.
	Close func() error
}

// Store is storekeep.Store on a SQL database.
type Store struct {
	d          Dialect
	w          Writer
	r          Querier
	sealer     storekeep.Sealer
	migrations *goose.Provider
	close      func() error
	// enqueue writes the outbox rows that EnqueueJob and EnqueueMail
	// callers queue while a write is under way together, in the next
	// write: concurrent answers then share a transaction and its commit
	// instead of queueing for the writer one by one. One write runs at a
	// time on both backends: on PostgreSQL, one write gathering the rows that
	// four at once had each committed apart cut the database's CPU a
	// recovery by 11–21 % (BENCHMARKS.md).
	enqueue *groupcommit.Group[outboxRow, int64]
}

var _ storekeep.Store = (*Store)(nil)

// New returns the store c describes.
func New(c Config) *Store {
	s := &Store{
		d: c.Dialect, w: leftWriter{c.Writer}, r: c.Reader,
		sealer: c.Sealer, migrations: c.Migrations, close: c.Close,
	}
	s.enqueue = groupcommit.New(1, s.insertRows)
	return s
}

// Close releases the store's connections.
func (s *Store) Close() error { return s.close() }

// Ping reports whether the database answers and every migration has been
// applied.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("%s: %w", s.d.Name, err)
	}
	pending, err := s.migrations.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("%s: migration status: %w", s.d.Name, err)
	}
	if pending {
		return fmt.Errorf("%s: schema is not current; run the migrations", s.d.Name)
	}
	return nil
}

// Migrate applies every migration the database lacks. A schema already
// current, as at nearly every start, is recognised from one read of the
// version table, without taking the migration lock (a lock, a look-up of
// the table in the catalog and an unlock fewer: round trips that every
// PostgreSQL command paid at start).
func (s *Store) Migrate(ctx context.Context) error {
	if pending, err := s.migrations.HasPending(ctx); err == nil && !pending {
		return nil
	}
	if _, err := s.migrations.Up(ctx); err != nil {
		return fmt.Errorf("%s: migrate: %w", s.d.Name, err)
	}
	return nil
}

// stamp returns t, or the current time when t is zero, as precisely as
// the database keeps it.
func (s *Store) stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return t.Truncate(s.d.Precision)
}

// planEach returns args led by the dialect's PlanEach. A statement that
// looks rows up by a list, a parameter or what a subquery returns (the
// prunes), takes them: a plan cached while a table held a few rows reads
// the whole table, and keeps reading it once the table has grown, until
// statistics are refreshed.
func (s *Store) planEach(args ...any) []any {
	return append(slices.Clip(s.d.PlanEach), args...)
}

// at encodes t as the database stores times.
func (s *Store) at(t time.Time) any { return s.d.Time(t) }

// roundUp is t rounded up to the precision the database keeps times to.
// Kept times are truncated to it, so a kept time compares with roundUp(t)
// as the exact time compared with t: a bound 1ns after an order's time
// still excludes the order (>=) or includes it (<), and a record kept
// until roundUp(t) outlives every instant before t.
func (s *Store) roundUp(t time.Time) time.Time {
	if r := t.Truncate(s.d.Precision); r.Before(t) {
		return r.Add(s.d.Precision)
	}
	return t
}

// atOrNull encodes t as at does, the zero time as NULL.
func (s *Store) atOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.d.Time(t)
}

// mapErr turns a missing row into storekeep.ErrNotFound and a broken
// uniqueness rule into storekeep.ErrConflict.
func (s *Store) mapErr(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return storekeep.ErrNotFound
	}
	if err != nil && s.d.IsConflict(err) {
		return fmt.Errorf("%w: %v", storekeep.ErrConflict, err)
	}
	return err
}
