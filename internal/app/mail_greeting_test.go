package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep/internal/mail/smtptest"
)

// bait is a first name that customerCreate accepts (no markup, no link)
// and that reads, after "Hi", as the shop's own words to whoever gets
// the mail.
const bait = "there. Your order is on hold: call +1 613 555 0100 to release it"

// A sign-up proves no mailbox: anyone can open an account with
// victim@example.org under a name of their choosing, then make storekeep
// mail that address from the shop's own sender, with the name in the
// greeting: a reset link (customerRecover), an "account exists" notice
// (a second sign-up), a "password changed" notice (customerUpdate) and
// an "email changed" notice (moving the account away). No mail to an
// address the account has not proved may speak the name it was given.
// Once the owner proves the address the greeting is theirs again.
func TestNoMailGreetsAnUnprovenAddressWithTheNameAStrangerGaveIt(t *testing.T) {
	n := startNode(t)
	const victim = "victim@example.org"
	var p payload
	n.post(createMutation, map[string]any{"input": map[string]any{"email": victim, "password": "strangers-secret-1", "firstName": bait}}).
		field(t, "customerCreate", &p)
	if p.Customer == nil {
		t.Fatalf("sign-up with the bait name: %+v", p)
	}
	n.recover(victim)
	n.resetURL(victim, 1)
	n.post(createMutation, map[string]any{"input": map[string]any{"email": victim, "password": "another-secret-2"}})
	tok := n.login(victim, "strangers-secret-1")
	n.post(updateEmail, map[string]any{"t": tok, "c": map[string]any{"password": "strangers-secret-3"}})
	tok = n.login(victim, "strangers-secret-3")
	n.post(updateEmail, map[string]any{"t": tok, "c": map[string]any{"email": "stranger@example.net"}})

	subjects := []string{"Reset your", "Someone tried to sign up", "password was changed", "email address was changed"}
	msgs := n.smtp.WaitForMatch(t, func(m smtptest.Received) bool { return m.To == victim }, len(subjects), 10*time.Second)
	for _, want := range subjects {
		found := false
		for _, m := range msgs {
			if !strings.Contains(m.Subject, want) {
				continue
			}
			found = true
			if strings.Contains(m.Text+m.HTML+m.Subject, "555 0100") {
				t.Errorf("%q speaks the stranger's name:\n%s", m.Subject, m.Text)
			}
		}
		if !found {
			t.Errorf("no mail %q among %d to the victim", want, len(msgs))
		}
	}

	// The owner of stranger@example.net takes the account back by a reset,
	// proving that address, then names itself: it is greeted by name.
	n.recover("stranger@example.net")
	link := n.smtp.WaitForMatch(t, func(m smtptest.Received) bool {
		return m.To == "stranger@example.net" && resetLink.MatchString(m.Text)
	}, 1, 10*time.Second)[0]
	n.resetByURL(resetLink.FindString(link.Text), "owners-secret-4")
	tok = n.login("stranger@example.net", "owners-secret-4")
	n.post(updateEmail, map[string]any{"t": tok, "c": map[string]any{"firstName": "Grace"}})
	n.recover("stranger@example.net")
	m := n.smtp.WaitForMatch(t, func(m smtptest.Received) bool {
		return m.To == "stranger@example.net" && strings.Contains(m.Text, "Hi Grace,")
	}, 1, 10*time.Second)[0]
	if !strings.Contains(m.HTML, "Hi Grace,") {
		t.Errorf("a proven customer is not greeted by name in HTML:\n%s", m.HTML)
	}
}
