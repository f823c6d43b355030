package sqlstore

import (
	"context"
	"database/sql"
	"errors"
)

// leftWriter gives a transaction whose caller left the caller's error.
// A transaction runs under its caller's context, so that waiting for a
// connection, and a BEGIN on a server that stopped answering, end when the
// caller leaves (on PostgreSQL a statement already sent gets the driver's
// grace first). database/sql then rolls the transaction back from another
// goroutine, and the statement that comes next fails with sql.ErrTxDone,
// which is the caller's leaving, not a failure: it is answered with the
// context's error.
type leftWriter struct{ Writer }

func (w leftWriter) InTx(ctx context.Context, fn func(tx Querier) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := w.Writer.InTx(ctx, fn)
	if ctxErr := ctx.Err(); err != nil && ctxErr != nil && errors.Is(err, sql.ErrTxDone) {
		return ctxErr
	}
	return err
}
