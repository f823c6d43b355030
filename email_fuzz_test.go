package storekeep

import "testing"

// FuzzNormalizeEmail checks that normalising is idempotent and keeps a
// valid address valid, so that a stored key always names a valid address.
func FuzzNormalizeEmail(f *testing.F) {
	f.Fuzz(func(t *testing.T, email string) {
		key := NormalizeEmail(email)
		if again := NormalizeEmail(key); again != key {
			t.Fatalf("%q normalises to %q, then to %q", email, key, again)
		}
		if ValidEmail(email) && !ValidEmail(key) {
			t.Fatalf("%q is valid but its key %q is not", email, key)
		}
	})
}
