// Package postgres is storekeep's storage on PostgreSQL, shared by any
// number of nodes. It implements storekeep.Store on a pgx connection pool;
// pgx prepares and caches each statement per connection. Every
// multi-statement operation runs in one READ COMMITTED transaction, and
// the conditional UPDATEs that decide races are explained where they are.
//
// The schema lives in the first schema of the connection's search_path,
// so one database can hold several storekeep schemas (the tests do).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pressly/goose/v3"

	"github.com/storekeep/storekeep"
)

// Options configures Open.
type Options struct {
	// Sealer encrypts queued mail data at rest. Required.
	Sealer storekeep.Sealer
	// MaxConns caps the connection pool. Zero means the URL's
	// pool_max_conns if it has one, else defaultMaxConns.
	MaxConns int
}

// defaultMaxConns is the pool size without other instruction: four
// connections a CPU, and at least 16. Every answer to customerRecover waits
// for a commit to reach the disk, and the outbox worker holds connections
// of its own, so pgx's default of one a CPU (at least 4) keeps requests
// queueing for a connection while the server has little to do: on two CPUs
// customerRecover went from ~680 to ~1,160 requests a second with 16
// (BENCHMARKS.md).
func defaultMaxConns() int {
	return max(16, 4*runtime.GOMAXPROCS(0))
}

// Store is storekeep.Store on PostgreSQL.
type Store struct {
	pool       *pgxpool.Pool
	migrations *goose.Provider
	closeSQL   func() error
	sealer     storekeep.Sealer
}

var _ storekeep.Store = (*Store)(nil)

// Open connects to the database url names, such as
// postgres://user@host:5432/db?sslmode=disable&search_path=storekeep. It
// does not migrate: call Migrate before use.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	if opts.Sealer == nil {
		return nil, errors.New("postgres: Options.Sealer is required")
	}
	if opts.MaxConns < 0 {
		return nil, fmt.Errorf("postgres: Options.MaxConns is %d", opts.MaxConns)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	switch {
	case opts.MaxConns > 0:
		cfg.MaxConns = int32(opts.MaxConns)
	case !strings.Contains(url, "pool_max_conns="):
		cfg.MaxConns = int32(defaultMaxConns())
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	var schema *string
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", cfg.ConnConfig.Host, err)
	}
	if schema == nil {
		pool.Close()
		return nil, errors.New("postgres: no schema of the search_path exists")
	}
	migrations, closeSQL, err := newMigrations(pool, *schema)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool, migrations: migrations, closeSQL: closeSQL, sealer: opts.Sealer}, nil
}

// Close closes the connection pool.
func (s *Store) Close() error {
	err := s.closeSQL()
	s.pool.Close()
	return err
}

// Ping reports whether the database answers and every migration has been
// applied.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	current, err := s.SchemaCurrent(ctx)
	if err != nil {
		return err
	}
	if !current {
		return errors.New("postgres: schema is not current; run the migrations")
	}
	return nil
}

// querier is what a *pgxpool.Pool and a pgx.Tx have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// inTx runs fn in a READ COMMITTED transaction and commits when fn returns
// nil. The level is explicit because the races below are argued for it,
// whatever the server's default_transaction_isolation.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, fn)
}

// stamp returns t, or the current time when t is zero, to the
// microsecond, as it is stored.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return t.Truncate(time.Microsecond)
}
