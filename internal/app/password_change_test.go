package app_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
)

// Each password change through customerUpdate runs a password hash and
// mails the account's address a "your password was changed" notice, and
// its answer hands back a new access token, so a client could loop on it
// without end: against an account opened under someone else's address
// (a sign-up proves no mailbox), a mail bomb of that address. One customer
// gets a stated number of password changes an hour, then a THROTTLED error
// that hashes nothing, mails nothing and changes nothing.
func TestPasswordChangesAreThrottledPerCustomer(t *testing.T) {
	n := startNode(t)
	n.signUp("victim@example.org", "first-secret-1")
	tok := n.login("victim@example.org", "first-secret-1")
	allowance := account.DefaultConfig().PasswordChangesPerCustomer.Count
	if allowance == 0 {
		t.Fatal("no password-change allowance is configured")
	}
	for i := range allowance {
		var p payload
		n.post(updateEmail, map[string]any{"t": tok, "c": map[string]any{"password": fmt.Sprintf("changed-secret-%d", i)}}).
			field(t, "customerUpdate", &p)
		if len(p.CustomerUserErrors) > 0 || p.CustomerAccessToken == nil {
			t.Fatalf("change %d of %d: %+v", i+1, allowance, p)
		}
		tok = p.CustomerAccessToken.AccessToken
	}
	r := n.post(updateEmail, map[string]any{"t": tok, "c": map[string]any{"password": "one-more-secret", "firstName": "Eve"}})
	if !isThrottled(r, "customerUpdate", account.ThrottledPasswordChangeMessage) {
		t.Fatalf("change %d: %s", allowance+1, r.Raw)
	}
	var me struct{ FirstName *string }
	n.post(`query($t: String!) { customer(customerAccessToken: $t) { firstName } }`, map[string]any{"t": tok}).field(t, "customer", &me)
	if me.FirstName != nil && *me.FirstName == "Eve" {
		t.Error("a throttled update changed the first name")
	}
	n.login("victim@example.org", fmt.Sprintf("changed-secret-%d", allowance-1))
	if notices := n.queuedTo(storekeep.TemplatePasswordChanged, "victim@example.org"); notices != allowance {
		t.Errorf("%d password changes and one throttled queued %d notices, want %d", allowance, notices, allowance)
	}
	if r := n.post(updateEmail, map[string]any{"t": tok, "c": map[string]any{"firstName": "Eve"}}); len(r.Errors) > 0 {
		t.Errorf("an update that keeps the password is not a password change: %s", r.Raw)
	}
}

// queuedTo counts the outbox's mails of template to the address to.
func (n *node) queuedTo(template storekeep.Template, to string) int {
	n.t.Helper()
	queued, err := n.app.Store.ListMail(context.Background(), "", 0)
	if err != nil {
		n.t.Fatal(err)
	}
	count := 0
	for _, m := range queued {
		if m.Template == template && m.To == to {
			count++
		}
	}
	return count
}

// The per-customer allowance does not bound what one address receives: a
// client signs an account up under an address it does not own, changes
// its password to the allowance (a notice each), moves the account away
// and signs the next one up under the address. Notices of a changed
// password to one address have an allowance of their own; past it the
// change is made and its notice is not sent.
func TestPasswordChangedNoticesToOneAddressAreBounded(t *testing.T) {
	n := startNode(t)
	const victim, ip = "victim@example.org", "203.0.113.77"
	perCustomer := account.DefaultConfig().PasswordChangesPerCustomer.Count
	for acct := range 3 {
		var cp payload
		n.post(createMutation, map[string]any{"input": map[string]any{"email": victim, "password": "pw-0-secret"}}, privateAs(n, ip)).
			field(t, "customerCreate", &cp)
		if cp.Customer == nil {
			t.Fatalf("sign-up %d: %+v", acct+1, cp)
		}
		_, lp := n.loginAs(victim, "pw-0-secret", ip)
		if lp.CustomerAccessToken == nil {
			t.Fatalf("sign-in %d: %+v", acct+1, lp)
		}
		tok := lp.CustomerAccessToken.AccessToken
		for i := range perCustomer {
			var p payload
			n.post(updateMutation, map[string]any{"t": tok, "c": map[string]any{"password": fmt.Sprintf("pw-%d-secret", i+1)}}, privateAs(n, ip)).
				field(t, "customerUpdate", &p)
			if p.CustomerAccessToken == nil {
				t.Fatalf("account %d, change %d: %+v", acct+1, i+1, p)
			}
			tok = p.CustomerAccessToken.AccessToken
		}
		var p payload
		n.post(updateMutation, map[string]any{"t": tok, "c": map[string]any{"email": fmt.Sprintf("away%d@attacker.example", acct)}}, privateAs(n, ip)).
			field(t, "customerUpdate", &p)
		if p.Customer == nil {
			t.Fatalf("moving account %d away: %+v", acct+1, p)
		}
	}
	if got, want := n.queuedTo(storekeep.TemplatePasswordChanged, victim), account.DefaultConfig().PasswordChangedPerEmail.Count; got != want {
		t.Errorf("%d password changes of accounts opened under %s queued %d notices to it, want its allowance %d",
			3*perCustomer, victim, got, want)
	}
}

// TestPasswordChangeVoidsOutstandingResetLinks changes the password with
// customerUpdate after a reset link was mailed: the link must not outlive
// the change, or whoever holds it (the old mail leaked or was forwarded)
// could replace the password the customer just chose and end every
// session for up to a day. A change of address already voids the links.
func TestPasswordChangeVoidsOutstandingResetLinks(t *testing.T) {
	n := startNode(t)
	n.signUp("pc@example.com", "first-secret-1")
	n.recover("pc@example.com")
	link := n.resetURL("pc@example.com", 1)

	tok := n.login("pc@example.com", "first-secret-1")
	var p payload
	n.post(updateMutation, map[string]any{"t": tok, "c": map[string]any{"password": "changed-secret-2"}}).
		field(t, "customerUpdate", &p)
	if len(p.CustomerUserErrors) > 0 || p.CustomerAccessToken == nil {
		t.Fatalf("customerUpdate: %+v", p)
	}

	got := n.resetByURL(link, "attacker-secret-3")
	if got.Customer != nil || got.CustomerAccessToken != nil || len(got.CustomerUserErrors) != 1 ||
		got.CustomerUserErrors[0].Code != "TOKEN_INVALID" {
		t.Fatalf("a reset link mailed before a password change still resets the password: %+v", got)
	}
	n.login("pc@example.com", "changed-secret-2")
}
