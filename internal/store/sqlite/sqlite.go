// Package sqlite opens storekeep's storage on a single SQLite file, with
// database/sql and the pure-Go driver modernc.org/sqlite (see
// BENCHMARKS.md for why). The store itself is internal/store/sqlstore.
//
// The file is opened twice: once through a pool of exactly one connection
// that performs every write, each transaction beginning with BEGIN
// IMMEDIATE, and once through a read-only pool for everything else. The
// journal is WAL, so readers never wait for the writer. Both pools
// prepare each statement once and reuse it.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/store/sqlstore"
)

// Options configures Open.
type Options struct {
	// Sealer encrypts queued mail data at rest. Required.
	Sealer storekeep.Sealer
	// CacheMiB is the page cache of each connection, writer and readers
	// alike, in MiB (PRAGMA cache_size); zero means DefaultCacheMiB.
	CacheMiB int
}

// DefaultCacheMiB is Options.CacheMiB's default and MaxCacheMiB its
// largest value. Each of the 1 + max(4, GOMAXPROCS) connections holds a
// cache of its own, filled as pages are read, so a node's memory grows by
// up to that many times the size (BENCHMARKS.md weighs the default
// against the rate it buys).
const (
	DefaultCacheMiB = 8
	MaxCacheMiB     = 1024
)

// CheckCacheMiB refuses a page cache size outside 1..MaxCacheMiB, naming
// setting (the flag that sets it) in its error.
func CheckCacheMiB(setting string, mib int) error {
	if mib < 1 || mib > MaxCacheMiB {
		return fmt.Errorf("%s must be 1 to %d (MiB), not %d", setting, MaxCacheMiB, mib)
	}
	return nil
}

// Store is storekeep.Store on SQLite.
type Store struct {
	*sqlstore.Store
	writer     *pool
	reader     *pool
	migrations *goose.Provider
}

var _ storekeep.Store = (*Store)(nil)

const (
	driver      = "sqlite"
	busyTimeout = 5 * time.Second
)

// dialect is what SQLite does its own way: times are INTEGER nanoseconds,
// lists go as one JSON array, a claim names its partial index (without
// statistics the planner may prefer outbox_listing and sort every pending
// row), and the single writer needs no row locks.
var dialect = sqlstore.Dialect{
	Name:      "sqlite",
	Time:      sqlstore.UnixNano,
	Precision: time.Nanosecond,
	NoLimit:   -1,
	ListIn: func(column, param string) string {
		return column + " IN (SELECT value FROM json_each(" + param + "))"
	},
	List: func(values any) (any, error) {
		b, err := json.Marshal(values)
		return string(b), err
	},
	HashIn:       sqlstore.HashInList,
	ClaimMail:    sqlstore.ClaimStatement("outbox INDEXED BY outbox_due_mail", sqlstore.DueMail, ""),
	ClaimJobs:    sqlstore.ClaimStatement("outbox INDEXED BY outbox_due_job", sqlstore.DueJob, ""),
	ClaimInvites: sqlstore.ClaimStatement("outbox INDEXED BY outbox_due_invite", sqlstore.DueInvite, ""),
	OldestDue:    sqlstore.OldestDueStatement("outbox INDEXED BY outbox_due_mail", "outbox INDEXED BY outbox_due_job"),
	// AUTOINCREMENT never gives an id at or below customers' sqlite_sequence
	// row, which exists once a customer has been stored.
	ReserveCustomerID: []string{
		`INSERT INTO sqlite_sequence (name, seq) SELECT 'customers', 0
			WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'customers')`,
		`UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'customers' RETURNING seq`,
	},
	IDsFrom:    func(subquery string) string { return "id IN (" + subquery + ")" },
	IsConflict: isConflict,
	Series: func(lo, hi string) (string, string) {
		return "WITH RECURSIVE series(i) AS (SELECT CAST(" + lo + " AS INTEGER) UNION ALL SELECT i + 1 FROM series WHERE i < " + hi + ") ",
			"series"
	},
	SeedTime: func(base, micros string) string { return "(" + base + " + (" + micros + ") * 1000)" },
	SeedHash: func(string) string { return "randomblob(32)" },

	// A batch's rows go as one JSON array, each row an array.
	Table:         sqlstore.JSONTable,
	LockCustomers: `SELECT id, shop_id, email FROM customers WHERE id IN (SELECT value FROM json_each($1))`,
	// Unix nanoseconds, as times are stored, to the millisecond.
	Now: `SELECT CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 1000000`,
}

func isConflict(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	code := e.Code()
	return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// Open opens, creating it if needed, the database file at path. It does
// not migrate: call Migrate before use.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.Sealer == nil {
		return nil, errors.New("sqlite: Options.Sealer is required")
	}
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("sqlite: %q is not a plain file path", path)
	}
	cache := opts.CacheMiB
	if cache == 0 {
		cache = DefaultCacheMiB
	}
	if err := CheckCacheMiB("sqlite: Options.CacheMiB", cache); err != nil {
		return nil, err
	}
	common := fmt.Sprintf("?_busy_timeout=%d&_foreign_keys=on&_synchronous=NORMAL&_pragma=cache_size(%d)",
		busyTimeout.Milliseconds(), -cache<<10)

	// The writer keeps its statement journals in memory: a batch's
	// multi-row statement inside a transaction journals the pages it
	// changes, and in a temporary file that cost a write and a close each.
	writer, err := sql.Open(driver, path+common+"&_journal_mode=WAL&_txlock=immediate&_pragma=temp_store(2)")
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
	s := &Store{writer: newPool(writer), reader: newPool(reader), migrations: migrations}
	s.Store = sqlstore.New(sqlstore.Config{
		Dialect:    dialect,
		Writer:     s.writer,
		Reader:     s.reader,
		Sealer:     opts.Sealer,
		Migrations: migrations,
		Close:      func() error { return errors.Join(s.reader.Close(), s.writer.Close()) },
	})
	return s, nil
}

// FreePages returns how many pages of the file are free: left by deleted
// rows, to be reused by the next inserts before the file grows.
func (s *Store) FreePages(ctx context.Context) (int64, error) {
	var n int64
	err := s.reader.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&n)
	return n, err
}

// CacheSizes returns PRAGMA cache_size (negative: KiB) of the writer
// connection, then of every reader connection, which it holds all at once
// to reach each one: a check of the configuration, not for a busy node.
func (s *Store) CacheSizes(ctx context.Context) ([]int64, error) {
	w, err := cacheSizes(ctx, s.writer.DB, 1)
	if err != nil {
		return nil, err
	}
	r, err := cacheSizes(ctx, s.reader.DB, s.reader.Stats().MaxOpenConnections)
	return append(w, r...), err
}

func cacheSizes(ctx context.Context, db *sql.DB, n int) ([]int64, error) {
	var sizes []int64
	for range n {
		conn, err := db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		var kib int64
		if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&kib); err != nil {
			return nil, err
		}
		sizes = append(sizes, kib)
	}
	return sizes, nil
}
