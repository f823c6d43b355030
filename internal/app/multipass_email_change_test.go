package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
	"github.com/storekeep/storekeep/multipass/multipasstest"
)

// A Multipass token whose identifier names a customer moves that customer
// to the token's email. The former address is told, as customerUpdate
// tells it: the shop's sign-in system may have been fooled or taken over,
// and the owner of the former address must hear that the account left it.
func TestAMultipassEmailChangeTellsTheFormerAddress(t *testing.T) {
	n := startMultipassNode(t)
	sign := func(email string) {
		t.Helper()
		token := multipasstest.Mint(t, multipassSecret, n.multipassData(email, map[string]any{"identifier": "user-7"}))
		if _, p := n.multipassSignIn(token); p.CustomerAccessToken == nil {
			t.Fatalf("sign-in as %s: %+v", email, p)
		}
		n.clock.Advance(time.Second)
	}
	sign("owner@example.com")
	sign("thief@example.net")
	msgs := n.smtp.WaitForMatch(t, func(m smtptest.Received) bool {
		return m.To == "owner@example.com" && strings.Contains(m.Text, "thief@example.net")
	}, 1, 10*time.Second)
	if !strings.Contains(msgs[0].Subject, "email address was changed") {
		t.Errorf("the former address was mailed %q, want the email_changed notice", msgs[0].Subject)
	}

	// The same allowance as customerUpdate's: one notice per address in
	// its period, however often the account moves back and forth.
	for range 3 {
		sign("owner@example.com")
		sign("thief@example.net")
	}
	owner, thief := n.queuedTo(storekeep.TemplateEmailChanged, "owner@example.com"),
		n.queuedTo(storekeep.TemplateEmailChanged, "thief@example.net")
	if owner != 1 || thief != 1 {
		t.Errorf("after 4 round trips %d notices went to the owner and %d to the thief; want 1 each", owner, thief)
	}
}
