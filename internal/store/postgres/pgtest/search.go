package pgtest

import (
	"context"
	"testing"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Querier is what a *pgx.Conn and a *pgxpool.Pool have in common.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Search reports whether needle occurs in any text, bytea or jsonb value
// of any table in the current schema of db, as stored.
func Search(ctx context.Context, db Querier, needle []byte) (bool, error) {
	rows, err := db.Query(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'bytea', 'jsonb')`)
	if err != nil {
		return false, err
	}
	type column struct{ table, name, kind string }
	columns, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (column, error) {
		var c column
		return c, row.Scan(&c.table, &c.name, &c.kind)
	})
	if err != nil {
		return false, err
	}
	for _, c := range columns {
		if c.kind != "bytea" && !utf8.Valid(needle) {
			continue
		}
		table, col := pgx.Identifier{c.table}.Sanitize(), pgx.Identifier{c.table, c.name}.Sanitize()
		query, arg := `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE strpos(`+col+`::text, $1) > 0)`, any(string(needle))
		if c.kind == "bytea" {
			query, arg = `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE position($1::bytea IN `+col+`) > 0)`, needle
		}
		var found bool
		if err := db.QueryRow(ctx, query, arg).Scan(&found); err != nil {
			return false, err
		}
		if found {
			return true, nil
		}
	}
	return false, nil
}

// Contains reports whether needle occurs anywhere in the schema that the
// URL's search_path names, as Search does, failing t on any error.
func Contains(t testing.TB, url string, needle []byte) bool {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	found, err := Search(ctx, conn, needle)
	if err != nil {
		t.Fatal(err)
	}
	return found
}
