package storekeep

import (
	"strings"
	"testing"
)

// FuzzNormalizeEmail checks that normalising is idempotent, that a valid
// address's key is the ASCII key of a valid address, and that an address
// and its key name the same mailbox. Its seeds are the look-alikes that
// Unicode case mapping once merged or split.
func FuzzNormalizeEmail(f *testing.F) {
	for _, seed := range []string{
		"victim@gmail.com", "Victim@GMAIL.com", "victim@gmaİl.com", "victim@GMAİL.COM",
		"\u212Aate@example.com", "kate@example.\u212Aom", "ｖictim@gmail.com", "victim@ｇｍａｉｌ.com",
		"vic\u200btim@gmail.com", "victim@gm\u200bail.com", "vıctim@gmail.com", "victim@gmaıl.com",
		"straße@example.com", "user@straße.de", "user@xn--strae-oqa.de", "user@XN--STRAE-OQA.DE",
		"a\x00b@example.com", "a@example.com\x00", "\xff@example.com", " a@example.com ", "a@b",
		"a@example.com.", "a..b@example.com", "\"a b\"@example.com", "a@[127.0.0.1]", "a@@example.com",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, email string) {
		key := NormalizeEmail(email)
		if again := NormalizeEmail(key); again != key {
			t.Fatalf("%q normalises to %q, then to %q", email, key, again)
		}
		a, ok := ParseEmail(email)
		if !ok {
			return
		}
		if !ValidEmail(key) || !ValidEmail(a.String()) {
			t.Fatalf("%q is valid but its key %q or its form %q is not", email, key, a.String())
		}
		if NormalizeEmail(a.String()) != key {
			t.Fatalf("%q is sent to %q, whose key %q is not its key %q", email, a.String(), NormalizeEmail(a.String()), key)
		}
		for i := 0; i < len(key); i++ {
			if key[i] < 0x21 || key[i] > 0x7e {
				t.Fatalf("key %q of %q is not printable ASCII", key, email)
			}
		}
		if strings.Count(key, "@") != 1 {
			t.Fatalf("key %q has not one @", key)
		}
	})
}
