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
	queued, err := n.app.Store.ListMail(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	notices := 0
	for _, m := range queued {
		if m.Template == storekeep.TemplatePasswordChanged && m.To == "victim@example.org" {
			notices++
		}
	}
	if notices != allowance {
		t.Errorf("%d password changes and one throttled queued %d notices, want %d", allowance, notices, allowance)
	}
	if r := n.post(updateEmail, map[string]any{"t": tok, "c": map[string]any{"firstName": "Eve"}}); len(r.Errors) > 0 {
		t.Errorf("an update that keeps the password is not a password change: %s", r.Raw)
	}
}
