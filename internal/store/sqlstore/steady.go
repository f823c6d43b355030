package sqlstore

import (
	"context"
	"database/sql"
)

// A statement, once started, runs to its end; a caller whose context is
// done starts none. A request's context ends when its client hangs up,
// and cutting a statement off mid-way costs more than finishing it: the
// drivers give up the connection it ran on (pgx closes it, so the next
// caller waits for a new backend; SQLite's connection is reopened), and a
// pool handed back a connection closed that way fails callers that never
// left. The store's statements are short, so finishing one costs a client
// that left little. A context with a deadline is passed on as it is: its
// caller bounds how long it waits, and that bound is kept.

// steady returns the context to run one statement under: ctx itself
// when it is done (database/sql then refuses the statement before it
// touches a connection) or has a deadline, else ctx without its
// cancellation.
func steady(ctx context.Context) context.Context {
	if ctx.Err() != nil {
		return ctx
	}
	if _, ok := ctx.Deadline(); ok {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

// steadyQuerier runs each statement under steady.
type steadyQuerier struct{ q Querier }

func (s steadyQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.q.ExecContext(steady(ctx), query, args...)
}

func (s steadyQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.q.QueryContext(steady(ctx), query, args...)
}

func (s steadyQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return s.q.QueryRowContext(steady(ctx), query, args...)
}

// steadyWriter runs each statement, and each transaction, under steady:
// a transaction whose caller leaves is not begun, and one begun runs
// until a statement of it is refused, then rolls back.
type steadyWriter struct {
	steadyQuerier
	w Writer
}

func (s steadyWriter) InTx(ctx context.Context, fn func(tx Querier) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.w.InTx(steady(ctx), func(tx Querier) error { return fn(steadyQuerier{tx}) })
}
