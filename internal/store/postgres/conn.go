package postgres

import (
	"context"
	"database/sql/driver"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/stdlib"
)

// cancelGrace is how long a statement already sent may still run once its
// caller's context is done (a client hung up) before pgx gives up on it
// and closes its connection. The store's statements take well under a
// millisecond, so a grace keeps the connection: without it every request
// cut off mid-statement cost the database a new backend process, which a
// flood of abandoned requests turns into a flood of connections. A
// statement hung on a lost server is still given up, after the grace.
const cancelGrace = time.Second

// connConfig is cfg with the cancellation grace.
func connConfig(cfg pgx.ConnConfig) pgx.ConnConfig {
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn(), DeadlineDelay: cancelGrace}
	}
	return cfg
}

// validating opens pgx's database/sql connections as validConn.
type validating struct{ driver.Connector }

func (v validating) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := v.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return validConn{c.(*stdlib.Conn)}, nil
}

// validConn is a pgx connection that database/sql can ask whether pgx
// closed it, and that a call whose context is already done never spends.
// pgx's stdlib lacks IsValid, so database/sql put a connection closed
// under a call back in the pool and handed it to a later caller, whose
// call failed once three such were met in a row; and it answers a call
// whose context ended before it began with driver.ErrBadConn, on which
// database/sql closes a sound connection. Every other method is
// stdlib.Conn's.
type validConn struct{ *stdlib.Conn }

// IsValid implements driver.Validator.
func (c validConn) IsValid() bool { return !c.Conn.Conn().IsClosed() }

// settle returns ctx's error in place of the driver.ErrBadConn that pgx
// gives when ctx ended before a call began, the connection still sound.
func (c validConn) settle(ctx context.Context, err error) error {
	if errors.Is(err, driver.ErrBadConn) && ctx.Err() != nil && c.IsValid() {
		return ctx.Err()
	}
	return err
}

// ResetSession implements driver.SessionResetter. A connection left in
// a transaction is refused whatever ctx, as pgx refuses it.
func (c validConn) ResetSession(ctx context.Context) error {
	err := c.Conn.ResetSession(ctx)
	if c.Conn.Conn().PgConn().TxStatus() != 'I' {
		return err
	}
	return c.settle(ctx, err)
}

// Ping implements driver.Pinger. pgx closes a connection whose ping
// fails, so a ping is not begun once ctx is done.
func (c validConn) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.Conn.Ping(ctx)
}

// BeginTx implements driver.ConnBeginTx. pgx closes a connection whose
// BEGIN fails, a context already done included, and it commits and rolls
// back under the context the transaction began with. So the transaction
// begins under one that ends only cancelGrace after the caller's does
// (a BEGIN, COMMIT or ROLLBACK stalled on a lost server is still given
// up), and validTx ends a transaction whose caller has left without that
// cancellation, within the same grace.
func (c validConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	txCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(cancelGrace, cancel) })
	tx, err := c.Conn.BeginTx(txCtx, opts)
	if err != nil {
		stop()
		cancel()
		return nil, c.settle(ctx, err)
	}
	return validTx{Tx: tx, ctx: ctx, conn: c.Conn.Conn(), end: func() { stop(); cancel() }}, nil
}

// validTx is pgx's transaction, but that once its caller has left it is
// never committed and is rolled back on the connection without the
// caller's cancellation, within cancelGrace: database/sql rolls a
// transaction back when its context ends, and pgx, ending it under an
// ended context, would fail and close the connection.
type validTx struct {
	driver.Tx
	ctx  context.Context
	conn *pgx.Conn
	// end releases the context the transaction began under.
	end func()
}

// Commit implements driver.Tx.
func (t validTx) Commit() error {
	if err := t.ctx.Err(); err != nil {
		return errors.Join(err, t.Rollback())
	}
	defer t.end()
	return t.Tx.Commit()
}

// Rollback implements driver.Tx.
func (t validTx) Rollback() error {
	defer t.end()
	if t.ctx.Err() == nil {
		return t.Tx.Rollback()
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), cancelGrace)
	defer cancel()
	_, err := t.conn.Exec(ctx, "rollback")
	return err
}

// ExecContext implements driver.ExecerContext.
func (c validConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	res, err := c.Conn.ExecContext(ctx, query, args)
	return res, c.settle(ctx, err)
}

// QueryContext implements driver.QueryerContext.
func (c validConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.Conn.QueryContext(ctx, query, args)
	return rows, c.settle(ctx, err)
}
