package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/storekeep/storekeep/internal/cli/clitest"
)

func TestMain(m *testing.M) { clitest.Main(m) }

// Two cold starts of a real node on a new SQLite file, then the listings
// against the file it made: one line for each, each with a measured time.
func TestColdstartTimesARealNodeAndItsListings(t *testing.T) {
	var out bytes.Buffer
	db := filepath.Join(t.TempDir(), "storekeep.db")
	if err := run([]string{"-bin", clitest.Binary(t), "-db", db, "-runs", "2"}, &out); err != nil {
		t.Fatal(err)
	}
	want := []*regexp.Regexp{
		regexp.MustCompile(`^cold start \(exec → first /readyz 200\): median [0-9.]+[µm]?s, min [0-9.]+[µm]?s, max [0-9.]+[µm]?s over 2$`),
		regexp.MustCompile(`^/readyz: median [0-9.]+[µm]?s, p99 [0-9.]+[µm]?s$`),
		regexp.MustCompile(`^/metrics: median [0-9.]+[µm]?s, p99 [0-9.]+[µm]?s$`),
		regexp.MustCompile(`^mail list --limit 50 \(exec → exit\): median [0-9.]+[µm]?s$`),
		regexp.MustCompile(`^audit list --limit 50 \(exec → exit\): median [0-9.]+[µm]?s$`),
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d = %q, want %s", i+1, lines[i], re)
		}
	}
}

// A node that ends before it answers is reported at once with its reason,
// not waited for.
func TestColdstartReportsANodeThatDoesNotStart(t *testing.T) {
	var out bytes.Buffer
	db := filepath.Join(t.TempDir(), "storekeep.db")
	err := run([]string{"-bin", clitest.Binary(t), "-db", db, "-runs", "1", "--", "--no-such-flag"}, &out)
	if err == nil || !strings.Contains(err.Error(), "ended before it answered") || !strings.Contains(err.Error(), "no-such-flag") {
		t.Fatalf("err = %v", err)
	}
	if out.Len() != 0 {
		t.Errorf("printed %q", out.String())
	}
}

func TestColdstartRefusesNoRuns(t *testing.T) {
	if err := run([]string{"-runs", "0"}, &bytes.Buffer{}); err == nil {
		t.Fatal("no error")
	}
}
