package app_test

import (
	"context"
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
	queued, err := n.app.Store.ListMail(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	to := map[string]int{}
	for _, m := range queued {
		if m.Template == storekeep.TemplateEmailChanged {
			to[m.To]++
		}
	}
	if to["owner@example.com"] != 1 || to["thief@example.net"] != 1 || len(to) != 2 {
		t.Errorf("after 4 round trips the notices queued are %v; want 1 to each address", to)
	}
}
