package server

import (
	"fmt"
	"strconv"
	"time"
)

// Unstable is the API version that tracks the newest schema.
const Unstable = "unstable"

// release is a quarterly API version such as 2026-10.
type release struct{ year, month int }

func (r release) String() string { return fmt.Sprintf("%04d-%02d", r.year, r.month) }

func (r release) before(o release) bool {
	return r.year < o.year || r.year == o.year && r.month < o.month
}

func (r release) next() release {
	if r.month == 10 {
		return release{r.year + 1, 1}
	}
	return release{r.year, r.month + 3}
}

func (r release) prev() release {
	if r.month == 1 {
		return release{r.year - 1, 10}
	}
	return release{r.year, r.month - 3}
}

// parseRelease accepts YYYY-01, -04, -07 or -10, four and two digits.
func parseRelease(s string) (release, bool) {
	if len(s) != 7 || s[4] != '-' || !digits(s[:4]) || !digits(s[5:]) {
		return release{}, false
	}
	year, _ := strconv.Atoi(s[:4])
	month, _ := strconv.Atoi(s[5:])
	if month != 1 && month != 4 && month != 7 && month != 10 {
		return release{}, false
	}
	return release{year, month}, true
}

func digits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// quarterOf is the release of t's quarter.
func quarterOf(t time.Time) release {
	return release{t.Year(), (int(t.Month())-1)/3*3 + 1}
}

// SupportedVersions returns the versions served at t, oldest first: the four
// latest quarterly releases up to t's quarter, the next one, and unstable.
func SupportedVersions(t time.Time) []string {
	current := quarterOf(t)
	oldest := current.prev().prev().prev()
	var out []string
	for r := oldest; !current.next().before(r); r = r.next() {
		out = append(out, r.String())
	}
	return append(out, Unstable)
}

// ResolveVersion maps a requested version to the one that answers at t: a
// supported version answers itself, an older well-formed release the
// oldest supported one. ok is false for a malformed or future version.
func ResolveVersion(requested string, t time.Time) (string, bool) {
	if requested == Unstable {
		return Unstable, true
	}
	r, ok := parseRelease(requested)
	if !ok {
		return "", false
	}
	current := quarterOf(t)
	oldest := current.prev().prev().prev()
	switch {
	case r.before(oldest):
		return oldest.String(), true
	case current.next().before(r):
		return "", false
	}
	return requested, true
}
