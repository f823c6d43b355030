package app_test

import (
	"fmt"
	"testing"
)

// Every spelling of one mailbox (letter case in either part, the domain in
// Unicode, in punycode or in fullwidth letters, spaces around it) shares
// its per-address allowance, so spelling an address anew gives no more
// reset mails to its owner's inbox.
func TestSpellingsOfOneAddressShareItsRecoverAllowance(t *testing.T) {
	n := startNode(t)
	n.signUp("ada@bücher.example", "first-secret-1")
	spellings := []string{"Ada@Bücher.example", "ADA@XN--BCHER-KVA.EXAMPLE", " ada@ｂüｃｈｅｒ.example ", "aDa@BÜCHER.Example"}
	for i, email := range spellings {
		r, _ := n.recover(email, privateAs(n, fmt.Sprintf("203.0.113.%d", i+1)))
		if got := throttled(t, r, "customerRecover"); got != (i == 3) {
			t.Fatalf("spelling %d (%q) throttled: %v, want only the 4th: %s", i+1, email, got, r.Raw)
		}
	}
}
