package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/storekeep/storekeep/internal/store/postgres/pgtest"
)

// prunedByDay reads the rows-pruned column of run's table.
func prunedByDay(t *testing.T, table string) []int {
	t.Helper()
	var out []int
	for _, line := range strings.Split(strings.TrimSpace(table), "\n")[2:] {
		cells := strings.Split(line, "|")
		if len(cells) != 9 {
			t.Fatalf("row %q has %d cells", line, len(cells))
		}
		n, err := strconv.Atoi(strings.TrimSpace(cells[2]))
		if err != nil {
			t.Fatalf("row %q: %v", line, err)
		}
		out = append(out, n)
	}
	return out
}

// Within the retention nothing is pruned; the first day past it prunes
// that day's mail and audit events, and each day after also the tokens
// that have outlived their grace: 400 + 300, then 400 + 300 + 200.
func TestRetentionPrunesEachDayWhatFellOutOfTheWindow(t *testing.T) {
	backends := []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return t.TempDir() }},
		{"postgres", func(t *testing.T) string { return pgtest.URL(t) }},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), []string{"-days", "5", "-retention", "48h", "-mail", "400", "-audit", "300",
				"-batch", "100", "-db", b.db(t)}, &out)
			if err != nil {
				t.Fatal(err)
			}
			got := prunedByDay(t, out.String())
			want := []int{0, 0, 700, 900, 900}
			if len(got) != len(want) {
				t.Fatalf("%d days printed, want %d:\n%s", len(got), len(want), out.String())
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("day %d pruned %d rows, want %d:\n%s", i+1, got[i], want[i], out.String())
				}
			}
		})
	}
}

func TestRetentionRefusesSettingsItCannotSimulate(t *testing.T) {
	for _, args := range [][]string{
		{"-days", "0"},
		{"-batch", "0"},
		{"-mail", "-1"},
		{"-retention", "0s"},
		{"-days", "x"},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), append(args, "-db", t.TempDir()), &out); err == nil {
			t.Errorf("%v: no error", args)
		}
		if out.Len() != 0 {
			t.Errorf("%v: printed %q", args, out.String())
		}
	}
}
