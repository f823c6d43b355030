package sqlite

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/storekeep/storekeep/internal/store/sqlstore"
	"github.com/storekeep/storekeep/internal/store/storetest"
)

// fullScan matches a plan step that reads a whole table, or a whole index
// to sort it.
var fullScan = regexp.MustCompile(`^SCAN \w+$|^SCAN \w+ USING (COVERING )?INDEX|TEMP B-TREE|` + shopWalk)

// shopWalk matches a search of orders on the shop alone: a walk of every
// order of the shop, where a customer's orders are asked for.
const shopWalk = `^SEARCH orders USING (COVERING )?INDEX \w+ \(shop_id=\?( AND id[<>]\?)?\)$`

// TestHotPathAndWorkerStatementsUseIndexes plans every statement the hot
// path, the worker and the operator's listings run, and refuses any that
// reads a table or an index whole: each would cost time that grows with
// the history kept. A walk of an index in its order (SCAN ... USING
// INDEX) is allowed only for a listing, which stops at its LIMIT.
func TestHotPathAndWorkerStatementsUseIndexes(t *testing.T) {
	s := openMigrated(t, filepath.Join(t.TempDir(), "plan.db"))
	var rec storetest.Recorder
	recorded := sqlstore.New(sqlstore.Config{Dialect: dialect, Writer: rec.Writer(s.writer), Reader: rec.Reader(s.reader),
		Sealer: storetest.NewKeyring(t), Migrations: s.migrations, Close: s.Close})
	storetest.HotPath(t, recorded, &rec)
	statements := rec.Statements()
	if len(statements) < 30 {
		t.Fatalf("recorded %d statements; the hot path runs more", len(statements))
	}
	plans := map[string]string{}
	for _, st := range statements {
		plan := explain(t, s, st)
		plans[st.Query] = strings.Join(plan, "; ")
		t.Logf("%s\n\t%s", oneLine(st.Query), strings.Join(plan, "; "))
		if byIDs.MatchString(st.Query) && !strings.HasPrefix(plan[0], "SEARCH outbox USING INTEGER PRIMARY KEY") {
			t.Errorf("%s\nlooks rows up by id without their primary key: %s", oneLine(st.Query), strings.Join(plan, "; "))
		}
		subqueries := map[string]bool{}
		for _, step := range plan {
			if name, ok := subquery(step); ok {
				subqueries[name] = true
			}
			if fullScan.MatchString(step) && !isListing(st.Query, step) && !subqueries[strings.TrimPrefix(step, "SCAN ")] {
				t.Errorf("%s\nplans a full read: %s", oneLine(st.Query), strings.Join(plan, "; "))
				break
			}
		}
	}
	storetest.CheckOpenRowIndexes(t, plans)
}

// byIDs matches a statement on outbox rows given by a list of ids
// (MarkMailsSent, a batch's jobs).
var byIDs = regexp.MustCompile(`^UPDATE outbox\s[^(]*WHERE id IN \(SELECT value FROM json_each\(\$\d+\)\) AND`)

// isListing reports whether step is a walk of an index in the order a
// listing with a LIMIT asks for.
func isListing(query, step string) bool {
	return strings.Contains(query, "DESC LIMIT") && strings.HasPrefix(step, "SCAN ") && strings.Contains(step, "INDEX")
}

// subquery returns the name a plan step gives a subquery in FROM, whose
// result a later step may scan: it is as bounded as the subquery's plan.
func subquery(step string) (string, bool) {
	for _, prefix := range []string{"CO-ROUTINE ", "MATERIALIZE "} {
		if name, ok := strings.CutPrefix(step, prefix); ok {
			return name, true
		}
	}
	return "", false
}

func explain(t *testing.T, s *Store, st storetest.Statement) []string {
	t.Helper()
	rows, err := s.writer.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+st.Query, st.Args...)
	if err != nil {
		t.Fatalf("%s: %v", oneLine(st.Query), err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

func oneLine(query string) string { return strings.Join(strings.Fields(query), " ") }
