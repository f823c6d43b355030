package postgres

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"

	"github.com/storekeep/storekeep/internal/store/postgres/pgtest"
	"github.com/storekeep/storekeep/internal/store/sqlstore"
	"github.com/storekeep/storekeep/internal/store/storetest"
)

// planNode is a node of EXPLAIN (FORMAT JSON)'s plan tree.
type planNode struct {
	NodeType  string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	Index     string     `json:"Index Name"`
	IndexCond string     `json:"Index Cond"`
	Plans     []planNode `json:"Plans"`
}

// TestHotPathAndWorkerStatementsUseIndexes plans every statement the hot
// path, the worker and the operator's listings run, on tables seeded with
// a history (10^5 rows of outbox and audit events) and analyzed while no
// mail was pending, as on a node most of the time, with
// sequential scans priced out (enable_seqscan off) so that the planner
// takes an index wherever one applies, and refuses
// any plan that still reads a table whole (Seq Scan) or walks an index
// whole (an index scan without an Index Cond) other than in the order a
// listing's LIMIT stops, or that looks a row up by id other than through
// its primary key: the statistics of an idle outbox make pending rows look
// rare, and a walk of every pending row behind each look-up made a backlog
// drain in quadratic time.
func TestHotPathAndWorkerStatementsUseIndexes(t *testing.T) {
	s := openMigrated(t, pgtest.URL(t))
	defer s.Close()
	var rec storetest.Recorder
	recorded := recording(t, s, &rec)
	seedHistory(t, s)
	storetest.HotPath(t, recorded, &rec)
	statements := rec.Statements()
	if len(statements) < 30 {
		t.Fatalf("recorded %d statements; the hot path runs more", len(statements))
	}
	conn, err := s.db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	planned := map[string]string{}
	for _, st := range statements {
		var out []byte
		if err := conn.QueryRowContext(t.Context(), "EXPLAIN (FORMAT JSON) "+st.Query, st.Args...).Scan(&out); err != nil {
			t.Fatalf("%s: %v", oneLine(st.Query), err)
		}
		var plans []struct{ Plan planNode }
		if err := json.Unmarshal(out, &plans); err != nil || len(plans) != 1 {
			t.Fatalf("%s: plan %s: %v", oneLine(st.Query), out, err)
		}
		planned[st.Query] = summary(plans[0].Plan)
		t.Logf("%s\n\t%s", oneLine(st.Query), summary(plans[0].Plan))
		if bad := fullRead(plans[0].Plan, false); bad != "" {
			t.Errorf("%s\nplans a full read of %s: %s", oneLine(st.Query), bad, summary(plans[0].Plan))
		}
		if bad := sortedWhole(plans[0].Plan, false); bad != "" {
			t.Errorf("%s\nsorts every matching row of %s for one page: %s", oneLine(st.Query), bad, summary(plans[0].Plan))
		}
		if table := byID.FindStringSubmatch(st.Query); table != nil && !strings.Contains(summary(plans[0].Plan), table[1]+"_pkey (id = ") {
			t.Errorf("%s\nlooks a row up by id without its primary key: %s", oneLine(st.Query), summary(plans[0].Plan))
		}
	}
	storetest.CheckOpenRowIndexes(t, planned)
}

// recording returns a store over s's pool whose statements rec records.
func recording(t *testing.T, s *Store, rec *storetest.Recorder) *sqlstore.Store {
	return sqlstore.New(sqlstore.Config{Dialect: dialect, Writer: rec.Writer(writer{s.db}), Reader: rec.Reader(s.db),
		Sealer: storetest.NewKeyring(t), Migrations: s.migrations, Close: func() error { return nil }})
}

// seedHistory fills s with a small history in a shop of its own and
// analyzes it, so that the planner prices statements as on a used node.
func seedHistory(t *testing.T, s *Store) {
	t.Helper()
	shop, err := s.CreateShop(t.Context(), storekeep.Shop{Domain: "history.example", Name: "History",
		StorefrontURL: "https://history.example", Enumeration: storekeep.EnumerationPrivate}, storekeep.ShopSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	now := storetest.HotPathNow
	if err := s.SeedHistory(t.Context(), sqlstore.History{ShopID: shop.ID, Customers: 20_000, PasswordHash: "seeded",
		SentMail: 100_000, MailSpan: 7 * 24 * time.Hour, AuditEvents: 100_000, AuditSpan: 90 * 24 * time.Hour,
		AccessTokens: 20_000, AccessTTL: 30 * 24 * time.Hour, Now: now, Tag: "plan"}); err != nil {
		t.Fatal(err)
	}
}

// byID matches a statement on outbox rows given by their ids: one id, or
// a list of them (MarkMailsSent, a batch's jobs).
var byID = regexp.MustCompile(`^(?:UPDATE|DELETE FROM) (outbox)\s[^(]*WHERE id = (?:\$\d+|ANY\(\$\d+\)) AND`)

// fewRows are the tables that stay small whatever the history: a node has
// a handful of shops, each with a handful of API tokens.
var fewRows = map[string]bool{"shops": true, "api_tokens": true}

// fullRead returns the relation or index that n, or a node under it,
// reads whole, or "". limited says a Limit node is above n.
func fullRead(n planNode, limited bool) string {
	switch {
	case fewRows[n.Relation]:
	case n.NodeType == "Seq Scan":
		return n.Relation
	case (n.NodeType == "Index Scan" || n.NodeType == "Index Only Scan") && n.IndexCond == "" && !limited:
		return n.Index
	}
	limited = limited || n.NodeType == "Limit"
	for _, child := range n.Plans {
		if bad := fullRead(child, limited); bad != "" {
			return bad
		}
	}
	return ""
}

// sortedWhole returns the index of orders that n, or a node under it,
// reads into a Sort with no Limit between them, or "": a page of a
// customer's orders must read each half in its index's order and stop at
// the page, so that what it costs does not grow with the customer's
// orders. sorting says a Sort is above n.
func sortedWhole(n planNode, sorting bool) string {
	switch {
	case n.NodeType == "Limit":
		sorting = false
	case n.NodeType == "Sort":
		sorting = true
	case sorting && n.Relation == "orders":
		return n.Index
	}
	for _, child := range n.Plans {
		if bad := sortedWhole(child, sorting); bad != "" {
			return bad
		}
	}
	return ""
}

// summary is n's tree on one line: each node's type and what it reads.
func summary(n planNode) string {
	s := n.NodeType
	if n.Relation != "" {
		s += " on " + n.Relation
	}
	if n.Index != "" {
		s += " using " + n.Index
	}
	if n.IndexCond != "" {
		s += " " + n.IndexCond
	}
	var children []string
	for _, child := range n.Plans {
		children = append(children, summary(child))
	}
	if len(children) > 0 {
		s += " [" + strings.Join(children, "; ") + "]"
	}
	return s
}

func oneLine(query string) string { return strings.Join(strings.Fields(query), " ") }
