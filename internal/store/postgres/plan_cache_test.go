package postgres

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/storekeep/storekeep/internal/store/postgres/pgtest"
	"github.com/storekeep/storekeep/internal/store/storetest"
)

// listLookup matches a statement that looks rows up by a list: a
// parameter, or what a subquery returns (sqlstore.Dialect.IDsFrom).
var listLookup = regexp.MustCompile(`= ANY\((?:\$\d+\)|ARRAY\()`)

// keptPrepared are the list look-ups that keep their prepared plan, each
// through a partial index that holds only the rows it reads: the voiding
// of the open tokens that a batch's new ones replace (storeTokens in
// sqlstore).
var keptPrepared = []string{"UPDATE customer_tokens SET used_at = v.at"}

// TestListLookupsKeepNoPlanMadeForSmallTables runs the hot path on a store
// of one connection while its tables hold a few rows, as on a new node,
// then runs each statement that looks rows up by a list seven
// times more with the arguments the store gave it. PostgreSQL plans a
// prepared statement for its parameters five times, then may keep one
// generic plan for good: made while a table held a few rows, such a
// statement's plan read the whole table (a list's length is unknown to it),
// and went on reading it whole as the table grew, until statistics were
// refreshed: a node's outbox read whole at each mail marked sent (38
// million rows read in 30 s of BENCHMARKS.md's load). None of these
// statements but keptPrepared may be among the connection's prepared
// statements.
func TestListLookupsKeepNoPlanMadeForSmallTables(t *testing.T) {
	s, err := Open(t.Context(), pgtest.URL(t), Options{Sealer: storetest.NewKeyring(t), MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	var rec storetest.Recorder
	recorded := recording(t, s, &rec)
	storetest.HotPath(t, recorded, &rec)

	conn, err := s.db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	lists := 0
	for _, st := range rec.Statements() {
		if !listLookup.MatchString(st.Query) {
			continue
		}
		lists++
		for range 7 {
			rows, err := conn.QueryContext(t.Context(), st.Query, st.Args...)
			if err != nil {
				t.Fatalf("%s: %v", oneLine(st.Query), err)
			}
			for rows.Next() {
			}
			if err := rows.Close(); err != nil {
				t.Fatalf("%s: %v", oneLine(st.Query), err)
			}
		}
	}
	if lists < 12 {
		t.Fatalf("the hot path ran %d statements with a list parameter; it runs more", lists)
	}
	rows, err := conn.QueryContext(t.Context(),
		`SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	prepared := 0
	for rows.Next() {
		var query string
		var generic, custom int64
		if err := rows.Scan(&query, &generic, &custom); err != nil {
			t.Fatal(err)
		}
		prepared++
		if listLookup.MatchString(query) && !slices.ContainsFunc(keptPrepared, func(k string) bool {
			return strings.HasPrefix(query, k)
		}) {
			t.Errorf("%s\nis kept prepared (%d generic plans, %d custom)", oneLine(query), generic, custom)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if prepared == 0 {
		t.Fatal("the connection keeps no prepared statement: the check sees nothing")
	}
}
