package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

func TestStatementsArePreparedOnceAndReused(t *testing.T) {
	s := openMigrated(t, filepath.Join(t.TempDir(), "stmts.db"))
	ctx := context.Background()
	const q = `SELECT count(*) FROM outbox WHERE status = ?`
	var missed [][]string
	for range 2 {
		err := s.writer.inTx(ctx, func(tx *txn) error {
			var n int
			err := tx.QueryRowContext(ctx, q, "pending").Scan(&n)
			missed = append(missed, tx.missed)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(missed[0]) != 1 || len(missed[1]) != 0 {
		t.Fatalf("unprepared in the two transactions: %q; want the query once, then none", missed)
	}
	if s.writer.cached(q) == nil {
		t.Fatal("the query was not prepared after its first transaction")
	}

	for i := range maxCachedStmts + 10 {
		var n int
		if err := s.reader.QueryRowContext(ctx, fmt.Sprintf("SELECT %d", i)).Scan(&n); err != nil || n != i {
			t.Fatalf("query %d: %d, %v", i, n, err)
		}
	}
	if got := len(s.reader.stmts); got != maxCachedStmts {
		t.Fatalf("reader cache holds %d statements; want it capped at %d", got, maxCachedStmts)
	}
	if _, err := s.reader.ExecContext(ctx, "SELECT * FROM no_such_table"); err == nil {
		t.Fatal("a query that cannot be prepared did not fail")
	}
}
