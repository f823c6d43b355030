package cli

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
)

// recordAudit writes e into db as a node would.
func recordAudit(t *testing.T, db, domain string, e storekeep.AuditEvent) {
	t.Helper()
	store, shop := openShop(t, db, domain)
	e.ShopID = shop.ID
	if err := store.RecordAudit(context.Background(), e); err != nil {
		t.Fatal(err)
	}
}

func TestAuditListShowsTheTrailSafely(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	for _, domain := range []string{"a.example", "b.example"} {
		if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", domain); code != 0 {
			t.Fatal(errOut)
		}
	}
	code, out, errOut := runCLI(t, env, "customer", "create", "--shop", "a.example", "--email", "ann@example.com")
	if code != 0 {
		t.Fatal(errOut)
	}
	gid := strings.Fields(strings.TrimPrefix(out, "created customer "))[0]
	id, _ := storekeep.ParseCustomerGID(gid)
	later := time.Now().UTC().Add(time.Minute)
	recordAudit(t, db, "a.example", storekeep.AuditEvent{CustomerID: id, Kind: storekeep.AuditLoginFailed, IP: "203.0.113.9",
		UserAgent: "evil\x1b[2J\tagent\nsecond line", At: later})
	recordAudit(t, db, "b.example", storekeep.AuditEvent{Kind: storekeep.AuditThrottled, IP: "198.51.100.1", Detail: "customerRecover", At: later})

	code, out, errOut = runCLI(t, env, "audit", "list", "--shop", "A.example")
	if code != 0 {
		t.Fatalf("%d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "TIME") {
		t.Fatalf("want a header and a.example's two events:\n%s", out)
	}
	for _, want := range []string{"login_failed", "203.0.113.9", gid, `"evil\x1b[2J\tagent\nsecond line"`, later.Format(time.RFC3339)} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("newest row lacks %q: %s", want, lines[1])
		}
	}
	for _, want := range []string{"recover_requested", "a.example", gid, "activation mail queued"} {
		if !strings.Contains(lines[2], want) {
			t.Errorf("oldest row lacks %q: %s", want, lines[2])
		}
	}
	if strings.ContainsAny(out, "\x1b\t") || strings.Contains(out, "b.example") {
		t.Fatalf("raw control characters or another shop's events:\n%q", out)
	}

	code, out, _ = runCLI(t, env, "audit", "list", "--limit", "1")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(lines) != 2 || !strings.Contains(lines[1], "throttled") && !strings.Contains(lines[1], "login_failed") {
		t.Fatalf("--limit 1 across shops: %d\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, env, "audit", "list", "--shop", "nope.example"); code != 1 || !strings.Contains(errOut, "nope.example") {
		t.Errorf("unknown shop: %d %s", code, errOut)
	}
	if code, _, _ := runCLI(t, env, "audit", "list", "--limit", "0"); code != 1 {
		t.Errorf("--limit 0: %d", code)
	}
}

func TestAuditListShowsHowOftenAFoldedEventHappened(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "a.example"); code != 0 {
		t.Fatal(errOut)
	}
	start := time.Date(2030, 1, 2, 3, 0, 0, 0, time.UTC)
	for i := range 4 {
		e := storekeep.AuditEvent{Kind: storekeep.AuditThrottled, IP: "203.0.113.9", Detail: "customerRecover", At: start.Add(time.Duration(i) * time.Minute)}
		recordAudit(t, db, "a.example", e.Folded())
	}
	code, out, errOut := runCLI(t, env, "audit", "list")
	if code != 0 {
		t.Fatalf("%d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "COUNT") {
		t.Fatalf("want a header and one row for four folded events:\n%s", out)
	}
	f := strings.Fields(lines[1])
	if f[0] != start.Format(time.RFC3339) || f[1] != start.Add(3*time.Minute).Format(time.RFC3339) || f[2] != "4" {
		t.Fatalf("row %q: want first time, last time and count 4", lines[1])
	}
}

// writeCounter counts the writes made to it.
type writeCounter struct {
	bytes.Buffer
	writes int
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

// TestListingsWriteTheirTablesInOneWrite: a listing of 50 rows is one
// write to stdout, not one for each cell and its padding (each a system
// call on a terminal or a pipe, ~900 for 50 audit events).
func TestListingsWriteTheirTablesInOneWrite(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sk.db")
	env := map[string]string{"STOREKEEP_DB": db}
	if code, _, errOut := runCLI(t, env, "shop", "create", "--domain", "a.example"); code != 0 {
		t.Fatal(errOut)
	}
	for i := range 3 {
		if code, _, errOut := runCLI(t, env, "customer", "create", "--shop", "a.example", "--email", fmt.Sprintf("c%d@example.com", i)); code != 0 {
			t.Fatal(errOut)
		}
	}
	for i := range 50 {
		recordAudit(t, db, "a.example", storekeep.AuditEvent{Kind: storekeep.AuditLoginFailed, IP: "203.0.113.9",
			UserAgent: "agent", At: time.Now().UTC().Add(time.Duration(i) * time.Second)})
	}
	for _, args := range [][]string{{"audit", "list"}, {"mail", "list"}} {
		var out writeCounter
		var errOut bytes.Buffer
		if code := Run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut); code != 0 {
			t.Fatalf("%s: %d %s", args, code, errOut.String())
		}
		if rows := strings.Count(out.String(), "\n"); rows < 2 || out.writes != 1 {
			t.Errorf("%s: %d rows in %d writes, want them in one", args, rows, out.writes)
		}
	}
}
