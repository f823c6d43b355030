// Package postgres opens storekeep's storage on PostgreSQL, shared by any
// number of nodes, through database/sql and pgx's stdlib driver, which
// prepares and caches each statement per connection, but those that look
// rows up by a list (sqlstore.Dialect.PlanEach). The store itself is
// internal/store/sqlstore.
//
// The schema lives in the first schema of the connection's search_path,
// so one database can hold several storekeep schemas (the tests do).
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/store/sqlstore"
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
// of its own, so a pool of one a CPU keeps requests queueing for a
// connection while the server has little to do: on two CPUs
// customerRecover went from ~680 to ~1,160 requests a second with 16
// (BENCHMARKS.md).
func defaultMaxConns() int {
	return max(16, 4*runtime.GOMAXPROCS(0))
}

// Store is storekeep.Store on PostgreSQL.
type Store struct {
	*sqlstore.Store
	db         *sql.DB
	migrations *goose.Provider
}

var _ storekeep.Store = (*Store)(nil)

// dialect is what PostgreSQL does its own way: TIMESTAMPTZ to the
// microsecond, array parameters, row locks, and claims that skip the rows
// other nodes' claims hold.
var dialect = sqlstore.Dialect{
	Name:      "postgres",
	Time:      func(t time.Time) any { return t },
	Precision: time.Microsecond,
	NoLimit:   nil,
	ListIn:    func(column, param string) string { return column + " = ANY(" + param + ")" },
	List:      func(values any) (any, error) { return values, nil },
	// An unnamed statement, parsed and planned with its parameters each
	// time; the statement's description stays cached.
	PlanEach: []any{pgx.QueryExecModeCacheDescribe},
	Table:    sqlstore.UnnestTable,
	HashIn:   sqlstore.HashAny,
	// FOR NO KEY UPDATE does not block inserts that merely reference the
	// customer.
	LockCustomer:      `SELECT 1 FROM customers WHERE id = $1 FOR NO KEY UPDATE`,
	LockCustomers:     `SELECT id, shop_id, email FROM customers WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`,
	ClaimMail:         sqlstore.ClaimStatement("outbox", sqlstore.DueMail, "\n\t\t\tFOR UPDATE SKIP LOCKED"),
	ClaimJobs:         sqlstore.ClaimStatement("outbox", sqlstore.DueJob, "\n\t\t\tFOR UPDATE SKIP LOCKED"),
	ClaimInvites:      sqlstore.ClaimStatement("outbox", sqlstore.DueInvite, "\n\t\t\tFOR UPDATE SKIP LOCKED"),
	OldestDue:         sqlstore.OldestDueStatement("outbox", "outbox"),
	ReserveCustomerID: []string{`SELECT nextval(pg_get_serial_sequence('customers', 'id'))`},
	IDsFrom:           func(subquery string) string { return "id = ANY(ARRAY(" + subquery + "))" },
	IsConflict:        isConflict,
	Series: func(lo, hi string) (string, string) {
		return "", "generate_series(CAST(" + lo + " AS bigint), CAST(" + hi + " AS bigint)) AS series(i)"
	},
	SeedTime: func(base, micros string) string {
		return "(CAST(" + base + " AS timestamptz) + (" + micros + ") * interval '1 microsecond')"
	},
	SeedHash:      func(i string) string { return "sha256(convert_to(random()::text || '/' || " + i + ", 'UTF8'))" },
	Analyze:       "ANALYZE",
	LimitEachHalf: true,
	Now:           "SELECT clock_timestamp()",
}

// uniqueViolation is the SQLSTATE of a broken UNIQUE constraint.
const uniqueViolation = "23505"

func isConflict(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == uniqueViolation
}

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
	conns := int(cfg.MaxConns)
	switch {
	case opts.MaxConns > 0:
		conns = opts.MaxConns
	case !strings.Contains(url, "pool_max_conns="):
		conns = defaultMaxConns()
	}
	db := sql.OpenDB(validating{stdlib.GetConnector(connConfig(*cfg.ConnConfig))})
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	var schema *string
	if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", cfg.ConnConfig.Host, err)
	}
	if schema == nil {
		db.Close()
		return nil, errors.New("postgres: no schema of the search_path exists")
	}
	migrations, err := newMigrations(db, *schema)
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{db: db, migrations: migrations}
	s.Store = sqlstore.New(sqlstore.Config{
		Dialect:    dialect,
		Writer:     writer{db},
		Reader:     db,
		Sealer:     opts.Sealer,
		Migrations: migrations,
		Close:      db.Close,
	})
	return s, nil
}

// writer runs each transaction READ COMMITTED. The level is explicit
// because the store's races are argued for it, whatever the server's
// default_transaction_isolation.
type writer struct{ *sql.DB }

// InTx implements sqlstore.Writer.
func (w writer) InTx(ctx context.Context, fn func(tx sqlstore.Querier) error) error {
	tx, err := w.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, rbErr)
		}
		return err
	}
	return tx.Commit()
}
