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

// ResetSession implements driver.SessionResetter.
func (c validConn) ResetSession(ctx context.Context) error {
	return c.settle(ctx, c.Conn.ResetSession(ctx))
}

// Ping implements driver.Pinger. pgx closes a connection whose ping
// fails, so a ping is not begun once ctx is done.
func (c validConn) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.Conn.Ping(ctx)
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
