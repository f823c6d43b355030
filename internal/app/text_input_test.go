package app_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
)

const updateMutation = `mutation($t: String!, $c: CustomerUpdateInput!) { customerUpdate(customerAccessToken: $t, customer: $c) { ` + payloadFields + ` } }`

// TestTextWithControlCharactersIsInvalidOnItsField sends NUL, line breaks
// and other control characters in every text field a customer fills in.
// Each is refused with INVALID on that field, on SQLite and PostgreSQL
// alike (STOREKEEP_TEST_BACKEND), and changes nothing.
func TestTextWithControlCharactersIsInvalidOnItsField(t *testing.T) {
	n := startNode(t)
	n.signUp("ada@example.com", "first-secret-1")
	token := n.login("ada@example.com", "first-secret-1")
	create := func(field, value string) map[string]any {
		in := map[string]any{"email": "new@example.com", "password": "new-secret-1", "firstName": "New", "lastName": "Person"}
		in[field] = value
		return map[string]any{"input": in}
	}
	update := func(field, value string) map[string]any {
		return map[string]any{"t": token, "c": map[string]any{field: value}}
	}
	login := func(email, pw string) map[string]any {
		return map[string]any{"input": map[string]any{"email": email, "password": pw}}
	}
	tests := []struct {
		name, query, root string
		vars              map[string]any
		field             []string
	}{
		{"NUL in first name", createMutation, "customerCreate", create("firstName", "a\x00b"), []string{"input", "firstName"}},
		{"CR LF in last name", createMutation, "customerCreate", create("lastName", "Lovelace\r\nCall +1 555 0100"), []string{"input", "lastName"}},
		{"NUL in email", createMutation, "customerCreate", create("email", "new\x00@example.com"), []string{"input", "email"}},
		{"DEL in password", createMutation, "customerCreate", create("password", "new-secret\x7f1"), []string{"input", "password"}},
		{"NUL in login email", loginMutation, "customerAccessTokenCreate", login("ada\x00@example.com", "first-secret-1"), []string{"input", "email"}},
		{"NUL in login password", loginMutation, "customerAccessTokenCreate", login("ada@example.com", "first-secret-1\x00"), []string{"input", "password"}},
		{"NUL in recover email", recoverMutation, "customerRecover", map[string]any{"email": "ada@example.com\x00"}, []string{"email"}},
		{"tab in new first name", updateMutation, "customerUpdate", update("firstName", "Ada\tX"), []string{"customer", "firstName"}},
		{"line separator in new last name", updateMutation, "customerUpdate", update("lastName", "L\u2028X"), []string{"customer", "lastName"}},
		{"NUL in new email", updateMutation, "customerUpdate", update("email", "ada\x00@example.com"), []string{"customer", "email"}},
		{"C1 control in new password", updateMutation, "customerUpdate", update("password", "second\u0085secret"), []string{"customer", "password"}},
		{"LF after the email", createMutation, "customerCreate", create("email", "new@example.com\n"), []string{"input", "email"}},
		{"tab before the email", createMutation, "customerCreate", create("email", "\tnew@example.com"), []string{"input", "email"}},
		{"NEL after the email", createMutation, "customerCreate", create("email", "new@example.com\u0085"), []string{"input", "email"}},
		{"CR LF after the new email", updateMutation, "customerUpdate", update("email", "moved@example.com\r\n"), []string{"customer", "email"}},
		{"form feed around the recover email", recoverMutation, "customerRecover", map[string]any{"email": "\fada@example.com\v"}, []string{"email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := n.post(tt.query, tt.vars)
			if len(r.Errors) > 0 {
				t.Fatalf("the field failed: %s", r.Raw)
			}
			var p payload
			r.field(t, tt.root, &p)
			if p.Customer != nil || p.CustomerAccessToken != nil || !hasUserError(p, "INVALID", tt.field) {
				t.Fatalf("want only INVALID on %v, got %s", tt.field, r.Raw)
			}
		})
	}
	var who customerJSON
	n.post(customerQuery, map[string]any{"token": token}).field(t, "customer", &who)
	if who.Email != "ada@example.com" || who.DisplayName != "Ada" {
		t.Fatalf("a refused update changed the customer: %+v", who)
	}
	n.login("ada@example.com", "first-secret-1")
	if _, p := n.loginAs("new@example.com", "new-secret-1", "198.51.100.9"); p.CustomerAccessToken != nil {
		t.Fatal("a refused customerCreate created the customer")
	}
}

// TestInvalidUTF8BodyIsRefusedClearly sends a raw 0xFF inside a string of
// an application/graphql body, and in the User-Agent of a sign-in that is
// audited. The first is a 400 that says why; the second is stored safely.
func TestInvalidUTF8BodyIsRefusedClearly(t *testing.T) {
	n := startNode(t)
	query := "mutation { customerCreate(input: {email: \"ff@example.com\", password: \"ff-secret-1\", firstName: \"a\xffb\"}) { customer { id } customerUserErrors { code field } } }"
	a := n.send(t, rawRequest{contentType: "application/graphql", body: strings.NewReader(query)})
	b := refusal(t, a, 400, "BAD_REQUEST")
	if !strings.Contains(b.Errors[0].Message, "UTF-8") {
		t.Fatalf("message %q does not say the body is not UTF-8", b.Errors[0].Message)
	}
	if _, p := n.loginAs("ff@example.com", "ff-secret-1", "198.51.100.9"); p.CustomerAccessToken != nil {
		t.Fatal("the refused body created a customer")
	}

	r := n.post(loginMutation, map[string]any{"input": map[string]any{"email": "nobody@example.com", "password": "wrong-secret-1"}},
		withHeaders(map[string]string{"User-Agent": "Mozilla/5.0 \xff\xfe"}))
	var p payload
	if len(r.Errors) > 0 {
		t.Fatalf("sign-in with a non-UTF-8 User-Agent failed: %s", r.Raw)
	}
	r.field(t, "customerAccessTokenCreate", &p)
	if !hasUserError(p, "UNIDENTIFIED_CUSTOMER", nil) {
		t.Fatalf("%s", r.Raw)
	}
}

func hasUserError(p payload, code string, field []string) bool {
	for _, e := range p.CustomerUserErrors {
		if e.Code == code && slices.Equal(e.Field, field) {
			return true
		}
	}
	return false
}

// TestStoredNameCannotAddLinesToTheResetMail stores a customer whose first
// name holds line breaks and a right-to-left override, as one created
// before names were checked could, with its address proven (so that mail
// greets it by name), and asks for a reset. The name stays on the
// greeting's line of the mail that arrives, and reverses nothing.
func TestStoredNameCannotAddLinesToTheResetMail(t *testing.T) {
	n := startNode(t)
	now := n.clock.Now()
	_, err := n.app.Store.CreateCustomer(t.Context(), storekeep.Customer{
		ShopID: n.shop.ID, Email: "old@example.com", EmailKey: "old@example.com",
		FirstName: "Ada\u202e\r\n\r\nOur link changed: https://evil.example/reset\r\n", Tags: []string{},
		State: storekeep.CustomerEnabled, CreatedAt: now, UpdatedAt: now, EmailVerifiedAt: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	n.recover("old@example.com")
	n.resetURL("old@example.com", 1)
	m := n.smtp.Messages()[0]
	for _, line := range strings.Split(m.Text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "Our link changed") {
			t.Fatalf("the stored name started a line of the mail:\n%s", m.Text)
		}
	}
	if !strings.Contains(m.Text, "Hi Ada Our link changed: https://evil.example/reset,") {
		t.Fatalf("greeting not on one line:\n%s", m.Text)
	}
	if strings.ContainsRune(m.Text+m.HTML, '\u202e') {
		t.Fatalf("the stored override reached the mail:\n%s\n%s", m.Text, m.HTML)
	}
}
