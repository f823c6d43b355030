package server

import (
	"reflect"
	"testing"
	"time"
)

func TestSupportedVersionsAreFourReleasesTheNextAndUnstable(t *testing.T) {
	cases := []struct {
		day  string
		want []string
	}{
		{"2026-11-23", []string{"2026-01", "2026-04", "2026-07", "2026-10", "2027-01", "unstable"}},
		{"2026-01-01", []string{"2025-04", "2025-07", "2025-10", "2026-01", "2026-04", "unstable"}},
		{"2026-03-31", []string{"2025-04", "2025-07", "2025-10", "2026-01", "2026-04", "unstable"}},
	}
	for _, c := range cases {
		day, _ := time.Parse(time.DateOnly, c.day)
		if got := SupportedVersions(day); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.day, got, c.want)
		}
	}
}

func TestResolveVersionFallsForwardAndRejectsMalformed(t *testing.T) {
	now, _ := time.Parse(time.DateOnly, "2026-11-23")
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"2026-10", "2026-10", true},
		{"2027-01", "2027-01", true},
		{"unstable", "unstable", true},
		{"2024-01", "2026-01", true},
		{"2025-10", "2026-01", true},
		{"2000-01", "2026-01", true},
		{"1999-01", "2026-01", true},
		{"0001-10", "2026-01", true},
		{"1999-02", "", false},
		{"+999-01", "", false},
		{"-999-01", "", false},
		{" 999-01", "", false},
		{"2026-+1", "", false},
		{"2027-04", "", false},
		{"2026-02", "", false},
		{"2026-1", "", false},
		{"latest", "", false},
		{"", "", false},
		{"../../x", "", false},
	}
	for _, c := range cases {
		got, ok := ResolveVersion(c.in, now)
		if got != c.want || ok != c.ok {
			t.Errorf("ResolveVersion(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
