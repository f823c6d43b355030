package storekeep

import "testing"

// FuzzParseCustomerGID checks that a GID parses only in its one canonical
// form, and that every positive id survives formatting and parsing.
func FuzzParseCustomerGID(f *testing.F) {
	f.Fuzz(func(t *testing.T, gid string, n int64) {
		if id, ok := ParseCustomerGID(gid); ok {
			if id <= 0 || CustomerGID(id) != gid {
				t.Fatalf("%q parsed as %d, which formats as %q", gid, id, CustomerGID(id))
			}
		} else if id != 0 {
			t.Fatalf("%q refused with id %d", gid, id)
		}
		id, ok := ParseCustomerGID(CustomerGID(n))
		if ok != (n > 0) || ok && id != n {
			t.Fatalf("%d: round trip gave %d, %v", n, id, ok)
		}
	})
}
