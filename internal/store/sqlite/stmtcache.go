package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/storekeep/storekeep/internal/store/sqlstore"
)

// maxCachedStmts bounds how many statements a pool keeps prepared. The
// store's queries are fixed strings, far fewer than this; a query met once
// the cache is full runs unprepared.
const maxCachedStmts = 128

// pool is a connection pool that prepares each query once and reuses it.
// SQLite takes about as long to compile a small statement as to run it, and
// the driver keeps a prepared statement compiled, so the hot paths (an
// outbox insert, a token lookup) save most of their CPU time this way.
type pool struct {
	*sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newPool(db *sql.DB) *pool {
	return &pool{DB: db, stmts: make(map[string]*sql.Stmt)}
}

// cached returns query's prepared statement if it has one.
func (p *pool) cached(query string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stmts[query]
}

// prepared returns query's prepared statement, preparing it if there is
// room in the cache, or nil when it cannot be prepared: the caller then
// runs the query unprepared and meets any error there.
func (p *pool) prepared(ctx context.Context, query string) *sql.Stmt {
	if st := p.cached(query); st != nil {
		return st
	}
	p.mu.Lock()
	full := len(p.stmts) >= maxCachedStmts
	p.mu.Unlock()
	if full {
		return nil
	}
	st, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.stmts[query]; ok {
		st.Close()
		return prev
	}
	p.stmts[query] = st
	return st
}

// ExecContext runs query through its prepared statement.
func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.DB.ExecContext(ctx, query, args...)
}

// QueryContext runs query through its prepared statement.
func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query through its prepared statement.
func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// Close closes the prepared statements, then the pool.
func (p *pool) Close() error {
	p.mu.Lock()
	for q, st := range p.stmts {
		st.Close()
		delete(p.stmts, q)
	}
	p.mu.Unlock()
	return p.DB.Close()
}

// InTx runs fn in a write transaction on the pool (the writer, whose one
// connection it holds) and commits when fn returns nil.
func (p *pool) InTx(ctx context.Context, fn func(tx sqlstore.Querier) error) error {
	return p.inTx(ctx, func(tx *txn) error { return fn(tx) })
}

// inTx is InTx with the transaction's own type. The statements fn ran
// unprepared are prepared afterwards, once the connection is free.
func (p *pool) inTx(ctx context.Context, fn func(tx *txn) error) error {
	sqlTx, err := p.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &txn{Tx: sqlTx, pool: p}
	defer func() {
		for _, q := range tx.missed {
			p.prepared(context.WithoutCancel(ctx), q)
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

// txn is a write transaction that uses its pool's prepared statements.
// The writer pool has one connection, which the transaction holds, so a
// query not yet prepared cannot be prepared on the pool meanwhile: it runs
// unprepared and is noted in missed, for InTx to prepare once the
// transaction is over.
type txn struct {
	*sql.Tx
	pool   *pool
	missed []string
}

func (t *txn) stmt(ctx context.Context, query string) *sql.Stmt {
	if st := t.pool.cached(query); st != nil {
		return t.Tx.StmtContext(ctx, st)
	}
	t.missed = append(t.missed, query)
	return nil
}

// ExecContext runs query in the transaction.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs query in the transaction.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}
