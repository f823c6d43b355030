package app_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/app"
)

const updateEmail = `mutation($t: String!, $c: CustomerUpdateInput!) { customerUpdate(customerAccessToken: $t, customer: $c) { ` +
	payloadFields + ` } }`

// Each customerUpdate that changes the email tells a signed-in client
// whether the new address has an account (TAKEN) and mails the former
// address: one customer gets a stated number of such attempts an hour,
// taken addresses included, then a THROTTLED error that changes nothing.
func TestEmailChangesAreThrottledPerCustomer(t *testing.T) {
	n := startNode(t)
	n.signUp("taken@example.com", "first-secret-1")
	n.signUp("prober@example.com", "first-secret-1")
	tok := n.login("prober@example.com", "first-secret-1")
	allowance := account.DefaultConfig().EmailChangesPerCustomer.Count
	for i := range allowance {
		to := fmt.Sprintf("probe-%d@example.com", i)
		if i%2 == 1 {
			to = "taken@example.com"
		}
		if r := n.post(updateEmail, map[string]any{"t": tok, "c": map[string]any{"email": to}}); len(r.Errors) > 0 {
			t.Fatalf("change %d of %d: %s", i+1, allowance, r.Raw)
		}
	}
	r := n.post(updateEmail, map[string]any{"t": tok, "c": map[string]any{"email": "taken@example.com", "firstName": "Eve"}})
	if !isThrottled(r, "customerUpdate", account.ThrottledEmailChangeMessage) {
		t.Fatalf("change %d: %s", allowance+1, r.Raw)
	}
	var me struct{ FirstName *string }
	n.post(`query($t: String!) { customer(customerAccessToken: $t) { firstName } }`, map[string]any{"t": tok}).field(t, "customer", &me)
	if me.FirstName != nil && *me.FirstName == "Eve" {
		t.Error("a throttled update changed the first name")
	}
	if r := n.post(updateEmail, map[string]any{"t": tok, "c": map[string]any{"firstName": "Eve"}}); len(r.Errors) > 0 {
		t.Errorf("an update that keeps the email is not an email change: %s", r.Raw)
	}
}

// A client that moves its account's email to someone else's address and
// back mails that address an "email changed" notice each time, with a
// greeting it chose: one address gets at most one such notice in the
// stated period, however many accounts or changes send it.
func TestEmailChangedNoticesToOneAddressAreBounded(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Account.EmailChangesPerCustomer = storekeep.Limit{Count: 1000, Per: time.Hour}
	})
	n.signUp("attacker@example.com", "attackers-secret-1")
	tok := n.login("attacker@example.com", "attackers-secret-1")
	for i := range 5 {
		for _, to := range []string{"victim@example.org", "attacker@example.com"} {
			var p payload
			n.post(updateEmail, map[string]any{"t": tok, "c": map[string]any{"email": to}}).field(t, "customerUpdate", &p)
			if len(p.CustomerUserErrors) > 0 || p.Customer == nil {
				t.Fatalf("round %d, email %s: %+v", i, to, p)
			}
		}
	}
	victim, attacker := n.queuedTo(storekeep.TemplateEmailChanged, "victim@example.org"),
		n.queuedTo(storekeep.TemplateEmailChanged, "attacker@example.com")
	if victim != 1 || attacker != 1 {
		t.Errorf("after 5 round trips %d notices went to the victim and %d to the attacker; want 1 each", victim, attacker)
	}
}

// A client holding a customer's access token asks first to move the
// account to an address another account has: refused (TAKEN), nothing
// changes and the former address is told nothing, so its one notice of
// the period must still be there for the change that follows.
func TestARefusedEmailChangeLeavesTheNoticeForTheNextChange(t *testing.T) {
	n := startNode(t)
	n.signUp("taken@example.com", "first-secret-1")
	n.signUp("owner@example.com", "owners-secret-1")
	stolen := n.login("owner@example.com", "owners-secret-1")
	var p payload
	n.post(updateEmail, map[string]any{"t": stolen, "c": map[string]any{"email": "taken@example.com"}}).field(t, "customerUpdate", &p)
	if len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "TAKEN" {
		t.Fatalf("change to a taken address: %+v, want TAKEN", p)
	}
	n.post(updateEmail, map[string]any{"t": stolen, "c": map[string]any{"email": "thief@example.net"}}).field(t, "customerUpdate", &p)
	if len(p.CustomerUserErrors) > 0 || p.Customer == nil || p.Customer.Email != "thief@example.net" {
		t.Fatalf("change to a free address: %+v", p)
	}
	if told := n.queuedTo(storekeep.TemplateEmailChanged, "owner@example.com"); told != 1 {
		t.Errorf("the former address got %d email-changed notices, want 1", told)
	}
}

// A client holding a stolen access token takes an account over with
// customerUpdate: a new email address, then a new password. Both are
// recorded in the audit trail, with the client's IP and User-Agent and,
// for the email, the former address, so that an operator can tell when
// and from where the account was taken, and whose it was. A refused
// change and a change of the name alone record nothing.
func TestCustomerUpdateRecordsEmailAndPasswordChanges(t *testing.T) {
	n := startNode(t)
	id := n.signUp("owner@example.com", "first-secret-1")
	n.signUp("taken@example.com", "first-secret-1")
	tok := n.login("owner@example.com", "first-secret-1")
	thief := withHeaders(map[string]string{"User-Agent": "thief/1.0"})
	steps := []map[string]any{
		{"email": "taken@example.com"},
		{"firstName": "Mallory"},
		{"email": "thief@example.com"},
		{"password": "thief-secret-9"},
	}
	for _, c := range steps {
		var p payload
		n.post(updateEmail, map[string]any{"t": tok, "c": c}, thief).field(t, "customerUpdate", &p)
		if p.CustomerAccessToken != nil {
			tok = p.CustomerAccessToken.AccessToken
		}
	}
	events, err := n.app.Store.AuditEvents(context.Background(), n.shop.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	customer, _ := storekeep.ParseCustomerGID(id)
	var got []string
	for _, e := range events {
		if e.Kind == storekeep.AuditEmailChanged || e.Kind == storekeep.AuditPasswordChanged {
			if e.CustomerID != customer || e.IP != "127.0.0.1" || e.UserAgent != "thief/1.0" {
				t.Errorf("%s event: %+v", e.Kind, e)
			}
			got = append(got, string(e.Kind)+" "+e.Detail)
		}
	}
	want := []string{"password_changed ", "email_changed owner@example.com"}
	if !slices.Equal(got, want) {
		t.Errorf("audit events %q, want %q (newest first)", got, want)
	}
}
