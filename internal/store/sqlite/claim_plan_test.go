package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestClaimsUseTheirPartialIndexes guards against claims that scan the
// outbox: with a backlog of jobs, a claim of mail that walked past them
// would cost a write transaction time proportional to the backlog.
func TestClaimsUseTheirPartialIndexes(t *testing.T) {
	s := openMigrated(t, filepath.Join(t.TempDir(), "plan.db"))
	ctx := context.Background()
	for query, index := range map[string]string{dialect.ClaimMail: "outbox_due_mail", dialect.ClaimJobs: "outbox_due_job",
		dialect.ClaimInvites: "outbox_due_invite"} {
		rows, err := s.writer.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, 2, 1, 8)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if got := strings.Join(plan, "; "); !strings.Contains(got, index) || strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("plan for the %s claim: %s; want a walk of %s with no sort", index, got, index)
		}
	}
}
