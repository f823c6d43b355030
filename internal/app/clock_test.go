package app_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

// clockWarnings returns the WARN lines of logs about the node's clock.
func clockWarnings(t *testing.T, logs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		if rec["level"] == "WARN" && strings.Contains(rec["msg"].(string), "clock") {
			out = append(out, rec)
		}
	}
	return out
}

// A node's leases and expiries are compared by the other nodes' clocks, so
// a node whose clock runs a minute ahead sends mail another node is
// sending. A node cannot fix its clock, but it says so when it starts: it
// reads the database's clock and warns when its own differs by more than
// app.ClockSkewWarn. A node on time says nothing.
func TestANodeWhoseClockDiffersFromTheDatabasesWarnsAtStart(t *testing.T) {
	for _, skew := range []time.Duration{2 * time.Minute, -2 * time.Minute} {
		n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
			c.Now = func() time.Time { return time.Now().Add(skew) }
		})
		if w := clockWarnings(t, n.logs.String()); len(w) != 1 {
			t.Fatalf("a node %v off the database's clock logged %d clock warnings, want 1:\n%s", skew, len(w), n.logs.String())
		}
	}
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) { c.Now = time.Now })
	if w := clockWarnings(t, n.logs.String()); len(w) != 0 {
		t.Fatalf("a node on time warned about its clock: %v", w)
	}
}
