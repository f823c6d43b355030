package sqlstore

import (
	"context"
)

// steadyWriter begins each transaction without its caller's cancellation
// (a deadline is kept), so that database/sql does not roll it back from
// another goroutine while a statement of it runs. Each statement still
// runs under the caller's context: once it is done, the transaction's
// next statement is refused with its error, and the transaction rolls
// back.
type steadyWriter struct{ Writer }

func (s steadyWriter) InTx(ctx context.Context, fn func(tx Querier) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	txCtx := ctx
	if _, ok := ctx.Deadline(); !ok {
		txCtx = context.WithoutCancel(ctx)
	}
	return s.Writer.InTx(txCtx, fn)
}
