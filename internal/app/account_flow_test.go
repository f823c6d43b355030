package app_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/app"
)

func TestCustomerCreateReportsEveryProblem(t *testing.T) {
	n := startNode(t, func(_ *app.Config, s *storekeep.Shop) { s.Enumeration = storekeep.EnumerationShopify })
	n.signUp("taken@example.com", "first-secret-1")
	var p payload
	n.post(createMutation, map[string]any{"input": map[string]any{"email": "TAKEN@example.com", "password": "first-secret-1"}}).field(t, "customerCreate", &p)
	if len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "TAKEN" || !reflect.DeepEqual(p.CustomerUserErrors[0].Field, []string{"input", "email"}) {
		t.Fatalf("%+v", p)
	}
	n.post(createMutation, map[string]any{"input": map[string]any{"email": "bad", "password": "abc", "firstName": "<b>x</b>"}}).field(t, "customerCreate", &p)
	codes := map[string]bool{}
	for _, e := range p.CustomerUserErrors {
		codes[e.Code+" "+strings.Join(e.Field, ".")] = true
	}
	for _, want := range []string{"INVALID input.email", "TOO_SHORT input.password", "CONTAINS_HTML_TAGS input.firstName"} {
		if !codes[want] {
			t.Errorf("missing %s in %+v", want, p.CustomerUserErrors)
		}
	}
}

func TestLoginFailuresAreUnidentifiedWithNoField(t *testing.T) {
	n := startNode(t)
	n.signUp("lu@example.com", "first-secret-1")
	for _, in := range []map[string]any{
		{"email": "lu@example.com", "password": "wrong-secret-1"},
		{"email": "nobody@example.com", "password": "first-secret-1"},
	} {
		r := n.post(loginMutation, map[string]any{"input": in})
		var p payload
		r.field(t, "customerAccessTokenCreate", &p)
		want := userError{"UNIDENTIFIED_CUSTOMER", nil, "Unidentified customer"}
		if p.CustomerAccessToken != nil || len(p.CustomerUserErrors) != 1 || !reflect.DeepEqual(p.CustomerUserErrors[0], want) {
			t.Fatalf("%s", r.Raw)
		}
	}
}

func TestAccessTokensRenewAndDelete(t *testing.T) {
	n := startNode(t)
	n.signUp("mo@example.com", "first-secret-1")
	tok := n.login("mo@example.com", "first-secret-1")
	n.clock.Advance(24 * time.Hour)
	renew := `mutation($t: String!) { customerAccessTokenRenew(customerAccessToken: $t) { customerAccessToken { accessToken expiresAt } userErrors { field message } } }`
	var rp payload
	n.post(renew, map[string]any{"t": tok}).field(t, "customerAccessTokenRenew", &rp)
	if rp.CustomerAccessToken == nil || rp.CustomerAccessToken.AccessToken != tok {
		t.Fatalf("renew: %+v", rp)
	}
	expires, _ := time.Parse(time.RFC3339, rp.CustomerAccessToken.ExpiresAt)
	if !expires.After(n.clock.Now().Add(29 * 24 * time.Hour)) {
		t.Fatalf("renewed expiry %v", expires)
	}
	del := `mutation($t: String!) { customerAccessTokenDelete(customerAccessToken: $t) { deletedAccessToken deletedCustomerAccessTokenId userErrors { field message } } }`
	var dp struct {
		DeletedAccessToken           *string      `json:"deletedAccessToken"`
		DeletedCustomerAccessTokenID *string      `json:"deletedCustomerAccessTokenId"`
		UserErrors                   []plainError `json:"userErrors"`
	}
	n.post(del, map[string]any{"t": tok}).field(t, "customerAccessTokenDelete", &dp)
	if dp.DeletedAccessToken == nil || *dp.DeletedAccessToken != tok || dp.DeletedCustomerAccessTokenID == nil || len(dp.UserErrors) != 0 {
		t.Fatalf("delete: %+v", dp)
	}
	var who *customerJSON
	n.post(customerQuery, map[string]any{"token": tok}).field(t, "customer", &who)
	if who != nil {
		t.Fatal("deleted token still works")
	}
	n.post(renew, map[string]any{"t": tok}).field(t, "customerAccessTokenRenew", &rp)
	if rp.CustomerAccessToken != nil || len(rp.UserErrors) != 1 || !reflect.DeepEqual(rp.UserErrors[0].Field, []string{"customerAccessToken"}) {
		t.Fatalf("renew of a deleted token: %+v", rp)
	}
}

// A disabled customer's token opens nothing, so it is not renewed either:
// otherwise it could be kept alive, past its 30 days, until the customer
// is enabled again.
func TestADisabledCustomersTokenIsNotRenewed(t *testing.T) {
	n := startNode(t)
	id := n.signUp("di@example.com", "first-secret-1")
	tok := n.login("di@example.com", "first-secret-1")
	n.disable(id)
	renew := `mutation($t: String!) { customerAccessTokenRenew(customerAccessToken: $t) { customerAccessToken { accessToken expiresAt } userErrors { field message } } }`
	var rp payload
	n.post(renew, map[string]any{"t": tok}).field(t, "customerAccessTokenRenew", &rp)
	if rp.CustomerAccessToken != nil || len(rp.UserErrors) != 1 || !reflect.DeepEqual(rp.UserErrors[0].Field, []string{"customerAccessToken"}) ||
		rp.UserErrors[0].Message != "access token does not exist" {
		t.Fatalf("renew of a disabled customer's token: %+v", rp)
	}
}

func TestCustomerUpdateWithPasswordRotatesTokens(t *testing.T) {
	n := startNode(t)
	n.signUp("ox@example.com", "first-secret-1")
	tok := n.login("ox@example.com", "first-secret-1")
	upd := `mutation($t: String!, $c: CustomerUpdateInput!) { customerUpdate(customerAccessToken: $t, customer: $c) { ` + payloadFields + ` } }`
	var p payload
	n.post(upd, map[string]any{"t": tok, "c": map[string]any{"password": "second-secret-2", "firstName": "Oxana"}}).field(t, "customerUpdate", &p)
	if p.Customer == nil || p.Customer.FirstName != "Oxana" || p.CustomerAccessToken == nil {
		t.Fatalf("%+v", p)
	}
	var who *customerJSON
	n.post(customerQuery, map[string]any{"token": tok}).field(t, "customer", &who)
	if who != nil {
		t.Fatal("token used for the password change still works")
	}
	n.login("ox@example.com", "second-secret-2")
	msgs := n.smtp.WaitForMatch(t, func(m smtpMessage) bool { return m.To == "ox@example.com" }, 1, 10*time.Second)
	if !strings.Contains(strings.ToLower(msgs[0].Subject), "password") {
		t.Fatalf("no password-changed notice: %q", msgs[0].Subject)
	}
}

func TestInvitedCustomerActivatesByURL(t *testing.T) {
	n := startNode(t)
	ctx := context.Background()
	c, err := n.app.Accounts.CreateInvited(ctx, n.shop, account.CreateInput{Email: "pia@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.app.Recovery.Invite(ctx, n.shop, c, callerCLI); err != nil {
		t.Fatal(err)
	}
	msgs := n.smtp.WaitForMatch(t, func(m smtpMessage) bool { return m.To == "pia@example.com" }, 1, 10*time.Second)
	link := activationLink.FindString(msgs[0].Text)
	if link == "" {
		t.Fatalf("no activation link in %q", msgs[0].Text)
	}
	q := `mutation($u: URL!, $p: String!) { customerActivateByUrl(activationUrl: $u, password: $p) { customer { id email } customerAccessToken { accessToken } customerUserErrors { code field message } } }`
	var p payload
	n.post(q, map[string]any{"u": link, "p": "abc"}).field(t, "customerActivateByUrl", &p)
	if len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "TOO_SHORT" || !reflect.DeepEqual(p.CustomerUserErrors[0].Field, []string{"password"}) {
		t.Fatalf("%+v", p)
	}
	n.post(q, map[string]any{"u": link, "p": "first-secret-1"}).field(t, "customerActivateByUrl", &p)
	if p.Customer == nil || p.CustomerAccessToken == nil {
		t.Fatalf("%+v", p)
	}
	n.login("pia@example.com", "first-secret-1")
	n.post(q, map[string]any{"u": link, "p": "first-secret-2"}).field(t, "customerActivateByUrl", &p)
	if len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "TOKEN_INVALID" {
		t.Fatalf("activation link reused: %+v", p)
	}
}

func TestCustomerUpdateOfTheEmailTellsTheFormerAddress(t *testing.T) {
	n := startNode(t)
	n.signUp("before@example.com", "first-secret-1")
	tok := n.login("before@example.com", "first-secret-1")
	upd := `mutation($t: String!, $c: CustomerUpdateInput!) { customerUpdate(customerAccessToken: $t, customer: $c) { ` + payloadFields + ` } }`
	var p payload
	n.post(upd, map[string]any{"t": tok, "c": map[string]any{"email": "after@example.com", "password": "second-secret-2"}},
		withHeaders(map[string]string{"Accept-Language": "fr-FR"})).field(t, "customerUpdate", &p)
	if p.Customer == nil || p.Customer.Email != "after@example.com" {
		t.Fatalf("%+v", p)
	}
	msgs := n.smtp.WaitForMatch(t, func(m smtpMessage) bool { return m.To == "before@example.com" }, 1, 10*time.Second)
	notice := msgs[0]
	if !strings.Contains(notice.Subject, "adresse e-mail") || !strings.Contains(notice.Text, "after@example.com") || !strings.Contains(notice.HTML, "after@example.com") {
		t.Fatalf("the former address got %q:\n%s", notice.Subject, notice.Text)
	}
	n.smtp.WaitForMatch(t, func(m smtpMessage) bool {
		return m.To == "after@example.com" && strings.Contains(m.Subject, "mot de passe")
	}, 1, 10*time.Second)

	n.post(upd, map[string]any{"t": p.CustomerAccessToken.AccessToken, "c": map[string]any{"email": "AFTER@example.com", "firstName": "Ada"}}).field(t, "customerUpdate", &p)
	if p.Customer == nil {
		t.Fatalf("%+v", p)
	}
	queued, err := n.app.Store.ListMail(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	notices := 0
	for _, m := range queued {
		if m.Template == storekeep.TemplateEmailChanged {
			notices++
		}
	}
	if notices != 1 {
		t.Fatalf("%d email_changed mails queued, want 1: a change of case alone is no change of address", notices)
	}
}
