package recovery

import (
	"testing"

	"github.com/storekeep/storekeep"
)

// FuzzParseAccountURL checks that whatever ParseAccountURL accepts names a
// valid customer and token, that the link storekeep would mail for them
// parses to the same pair, and that a reset link is never an activation
// link.
func FuzzParseAccountURL(f *testing.F) {
	shop := storekeep.Shop{Domain: "shop.example", StorefrontURL: "http://localhost:3000/"}
	f.Fuzz(func(t *testing.T, raw string) {
		id, token, ok := ParseAccountURL(raw, "", "reset")
		if !ok {
			if id != 0 || token != "" {
				t.Fatalf("%q refused with %d %q", raw, id, token)
			}
			return
		}
		if id <= 0 || !isToken(token) {
			t.Fatalf("%q gave customer %d, token %q", raw, id, token)
		}
		mailed := AccountURL(shop.LinkBase(""), "reset", id, token)
		if id2, token2, ok2 := ParseAccountURL(mailed, "", "reset"); !ok2 || id2 != id || token2 != token {
			t.Fatalf("%q gave %d %q; its mailed form %q gave %d %q %v", raw, id, token, mailed, id2, token2, ok2)
		}
		if _, _, ok := ParseAccountURL(raw, "", "activate"); ok {
			t.Fatalf("%q is both a reset and an activation link", raw)
		}
	})
}
