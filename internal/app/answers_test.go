package app_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
)

// answerShape is an answer as a client can compare two: status, headers
// (but the request id and date, which change with every answer) and
// body, with the customer id and address a sign-up echoes blanked (the
// tests' addresses are all of one length).
func answerShape(r gqlResponse) string {
	var h []string
	for k, v := range r.Header {
		if k != "X-Request-Id" && k != "Date" {
			h = append(h, k+": "+strings.Join(v, ","))
		}
	}
	slices.Sort(h)
	body := regexp.MustCompile(`gid://shopify/Customer/[0-9]+`).ReplaceAll(r.Raw, []byte("gid://shopify/Customer/N"))
	body = regexp.MustCompile(`"[a-z0-9]{7}@example\.com"`).ReplaceAll(body, []byte(`"EMAIL"`))
	return http.StatusText(r.Status) + "\n" + strings.Join(h, "\n") + "\n" + string(body)
}

// In a private shop, every unauthenticated mutation that names an
// address or a customer id answers alike, status, headers and body,
// whether the address or id is an enabled customer's, a disabled one's,
// an invited one's (no password) or nobody's: README's enumeration
// promise, over the whole answer and every such mutation.
func TestUnauthenticatedAnswersAreAlikeForEveryKindOfAccount(t *testing.T) {
	n := startNode(t)
	ctx := context.Background()
	enabled := n.signUp("enabled@example.com", "first-secret-1")
	disabled := n.signUp("disabld@example.com", "first-secret-1")
	n.disable(disabled)
	invited, err := n.app.Accounts.CreateInvited(ctx, n.shop, account.CreateInput{Email: "invited@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	subjects := []struct{ email, id string }{
		{"enabled@example.com", enabled},
		{"disabld@example.com", disabled},
		{"invited@example.com", storekeep.CustomerGID(invited.ID)},
		{"nobody0@example.com", storekeep.CustomerGID(invited.ID + 1000)},
	}
	mutations := map[string]func(email, id string) gqlResponse{
		"customerRecover": func(email, _ string) gqlResponse {
			return n.post(recoverMutation, map[string]any{"email": email})
		},
		"customerAccessTokenCreate": func(email, _ string) gqlResponse {
			return n.post(loginMutation, map[string]any{"input": map[string]any{"email": email, "password": "wrong-secret-1"}})
		},
		"customerCreate": func(email, _ string) gqlResponse {
			return n.post(createMutation, map[string]any{"input": map[string]any{"email": email, "password": "a-new-secret-1", "firstName": "Eve"}})
		},
		"customerReset": func(_, id string) gqlResponse {
			return n.post(resetByID, map[string]any{"id": id, "input": map[string]any{"resetToken": "guess", "password": "good-secret-9"}})
		},
		"customerActivate": func(_, id string) gqlResponse {
			return n.post(`mutation($id: ID!, $input: CustomerActivateInput!) { customerActivate(id: $id, input: $input) { `+payloadFields+` } }`,
				map[string]any{"id": id, "input": map[string]any{"activationToken": "guess", "password": "good-secret-9"}})
		},
		"customerResetByUrl": func(_, id string) gqlResponse {
			url := "https://shop.example/account/reset/" + strings.TrimPrefix(id, "gid://shopify/Customer/") + "/guess"
			return n.post(resetByURL, map[string]any{"url": url, "password": "good-secret-9"})
		},
	}
	for name, send := range mutations {
		var first string
		for i, s := range subjects {
			got := answerShape(send(s.email, s.id))
			if i == 0 {
				first = got
				continue
			}
			if got != first {
				t.Errorf("%s: %s is answered\n%s\nand %s\n%s", name, subjects[0].email, first, s.email, got)
			}
		}
	}
}
