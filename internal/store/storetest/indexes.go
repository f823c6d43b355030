package storetest

import (
	"context"
	"database/sql"
	"slices"
	"testing"
)

// Querier runs a query: a *sql.DB, or a backend's pool.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// NoPrefixIndexes reads a schema's indexes with query, whose rows are
// (table, index, unique, partial, column) in each index's column order,
// and refuses a plain index whose columns begin another plain index of
// its table: the longer one serves every search the shorter did, and
// each index costs every write to its table.
func NoPrefixIndexes(t *testing.T, db Querier, query string) {
	t.Helper()
	type index struct {
		table, name     string
		unique, partial bool
		columns         []string
	}
	rows, err := db.QueryContext(t.Context(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var list []*index
	for rows.Next() {
		var table, name, column string
		var unique, partial bool
		if err := rows.Scan(&table, &name, &unique, &partial, &column); err != nil {
			t.Fatal(err)
		}
		if n := len(list); n == 0 || list[n-1].name != name {
			list = append(list, &index{table: table, name: name, unique: unique, partial: partial})
		}
		list[len(list)-1].columns = append(list[len(list)-1].columns, column)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(list) < 10 {
		t.Fatalf("read %d indexes; the schema has more", len(list))
	}
	for _, short := range list {
		for _, long := range list {
			if short == long || short.unique || short.partial || long.partial || short.table != long.table ||
				len(short.columns) >= len(long.columns) {
				continue
			}
			if slices.Equal(short.columns, long.columns[:len(short.columns)]) {
				t.Errorf("index %s %v is a prefix of %s %v", short.name, short.columns, long.name, long.columns)
			}
		}
	}
}
