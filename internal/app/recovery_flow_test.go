package app_test

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

func TestRecoverMailsALinkThatResetsThePasswordAndRevokesOldTokens(t *testing.T) {
	n := startNode(t)
	id := n.signUp("ada@example.com", "first-secret-1")
	old := n.login("ada@example.com", "first-secret-1")

	r, p := n.recover("ada@example.com")
	if r.Status != 200 || len(r.Errors) > 0 || len(p.CustomerUserErrors) != 0 || len(p.UserErrors) != 0 {
		t.Fatalf("customerRecover: %s", r.Raw)
	}
	link := n.resetURL("ada@example.com", 1)
	if !strings.HasPrefix(link, "https://shop.example/account/reset/"+strings.TrimPrefix(id, "gid://shopify/Customer/")+"/") {
		t.Fatalf("link %s does not name customer %s", link, id)
	}

	got := n.resetByURL(link, "second-secret-2")
	if got.Customer == nil || got.Customer.ID != id || got.CustomerAccessToken == nil ||
		len(got.CustomerUserErrors) != 0 || got.UserErrors == nil || len(got.UserErrors) != 0 {
		t.Fatalf("customerResetByUrl: %+v", got)
	}
	expires, err := time.Parse(time.RFC3339, got.CustomerAccessToken.ExpiresAt)
	if err != nil || !expires.After(n.clock.Now().Add(29*24*time.Hour)) {
		t.Fatalf("expiresAt %q: %v", got.CustomerAccessToken.ExpiresAt, err)
	}

	var who *customerJSON
	n.post(customerQuery, map[string]any{"token": got.CustomerAccessToken.AccessToken}).field(t, "customer", &who)
	if who == nil || who.ID != id {
		t.Fatalf("new token does not identify the customer: %+v", who)
	}
	n.post(customerQuery, map[string]any{"token": old}).field(t, "customer", &who)
	if who != nil {
		t.Fatal("access token issued before the reset still works")
	}
	n.login("ada@example.com", "second-secret-2")
	var denied payload
	n.post(loginMutation, map[string]any{"input": map[string]any{"email": "ada@example.com", "password": "first-secret-1"}}).field(t, "customerAccessTokenCreate", &denied)
	if len(denied.CustomerUserErrors) != 1 || denied.CustomerUserErrors[0].Code != "UNIDENTIFIED_CUSTOMER" {
		t.Fatalf("old password: %+v", denied)
	}
}

func TestResetByIDAndTokenUsesInputPaths(t *testing.T) {
	n := startNode(t)
	id := n.signUp("bo@example.com", "first-secret-1")
	n.recover("bo@example.com")
	link := n.resetURL("bo@example.com", 1)
	token := link[strings.LastIndex(link, "/")+1:]
	wrong := "A" + token[1:]
	if wrong == token {
		wrong = "B" + token[1:]
	}

	reset := func(id, token, pw string) payload {
		var p payload
		n.post(resetByID, map[string]any{"id": id, "input": map[string]any{"resetToken": token, "password": pw}}).field(t, "customerReset", &p)
		return p
	}
	cases := []struct {
		name, id, token, pw string
		want                userError
	}{
		{"malformed id", "gid://shopify/Product/1", token, "good-secret-9", userError{"INVALID", []string{"id"}, "Id is invalid"}},
		{"too short", id, token, "abcd", userError{"TOO_SHORT", []string{"input", "password"}, ""}},
		{"too long", id, token, strings.Repeat("x", 41), userError{"TOO_LONG", []string{"input", "password"}, ""}},
		{"whitespace", id, token, " padded-secret", userError{"PASSWORD_STARTS_OR_ENDS_WITH_WHITESPACE", []string{"input", "password"}, ""}},
		{"common", id, token, "password1", userError{"INVALID", []string{"input", "password"}, "Password is too common"}},
		{"wrong token", id, wrong, "good-secret-9", userError{"TOKEN_INVALID", []string{"input", "resetToken"}, ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := reset(c.id, c.token, c.pw)
			if p.Customer != nil || p.CustomerAccessToken != nil || len(p.CustomerUserErrors) != 1 {
				t.Fatalf("%+v", p)
			}
			e := p.CustomerUserErrors[0]
			if e.Code != c.want.Code || !reflect.DeepEqual(e.Field, c.want.Field) || (c.want.Message != "" && e.Message != c.want.Message) {
				t.Fatalf("got %+v, want %+v", e, c.want)
			}
			if len(p.UserErrors) != 1 || p.UserErrors[0].Message != e.Message || !reflect.DeepEqual(p.UserErrors[0].Field, e.Field) {
				t.Fatalf("userErrors do not mirror customerUserErrors: %+v", p.UserErrors)
			}
		})
	}
	if p := reset(id, token, "good-secret-9"); p.Customer == nil || p.Customer.ID != id {
		t.Fatalf("policy failures burned the token: %+v", p)
	}
	if p := reset(id, token, "other-secret-9"); len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "TOKEN_INVALID" {
		t.Fatalf("token reused: %+v", p)
	}
}

func TestResetByURLErrorPaths(t *testing.T) {
	n := startNode(t)
	n.signUp("cy@example.com", "first-secret-1")
	n.recover("cy@example.com")
	link := n.resetURL("cy@example.com", 1)
	cases := []struct {
		name, url, pw, code string
		field               []string
	}{
		{"not a reset path", "https://shop.example/account/login", "good-secret-9", "INVALID", []string{"resetUrl"}},
		{"short password", link, "abc", "TOO_SHORT", []string{"password"}},
		{"unknown token", strings.TrimRight(link, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") + "nope", "good-secret-9", "TOKEN_INVALID", []string{"resetUrl"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := n.resetByURL(c.url, c.pw)
			if len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != c.code || !reflect.DeepEqual(p.CustomerUserErrors[0].Field, c.field) {
				t.Fatalf("%+v", p)
			}
		})
	}
	t.Run("locale prefix, other host, query and fragment", func(t *testing.T) {
		alt := strings.Replace(link, "https://shop.example/account", "http://elsewhere.test/en-ca/account", 1) + "?utm=x#top"
		if p := n.resetByURL(alt, "good-secret-9"); p.Customer == nil {
			t.Fatalf("%+v", p)
		}
	})
	t.Run("not a URL fails coercion", func(t *testing.T) {
		r := n.post(resetByURL, map[string]any{"url": "not a url", "password": "good-secret-9"})
		if r.Status != 200 || len(r.Errors) == 0 {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})
}

func TestResetTokenIsSingleUseUnderConcurrency(t *testing.T) {
	n := startNode(t)
	n.signUp("hu@example.com", "first-secret-1")
	n.recover("hu@example.com")
	link := n.resetURL("hu@example.com", 1)
	const submissions = 24
	results := make([]gqlResponse, submissions)
	atOnce(submissions, func(i int) {
		results[i] = n.post(resetByURL, map[string]any{"url": link, "password": fmt.Sprintf("parallel-secret-%02d", i)})
	})
	winners, winner := 0, -1
	for i, r := range results {
		if len(r.Errors) == 1 && r.Errors[0].Extensions["code"] == "THROTTLED" {
			continue
		}
		var p payload
		r.field(t, "customerResetByUrl", &p)
		switch {
		case p.Customer != nil && p.CustomerAccessToken != nil:
			winners++
			winner = i
		case len(p.CustomerUserErrors) == 1 && p.CustomerUserErrors[0].Code == "TOKEN_INVALID":
		default:
			t.Errorf("submission %d: %s", i, r.Raw)
		}
	}
	if winners != 1 {
		t.Fatalf("%d submissions succeeded, want exactly 1", winners)
	}
	n.login("hu@example.com", fmt.Sprintf("parallel-secret-%02d", winner))
}

func TestBadTokensAreThrottledPerCustomerButTheRealTokenStillWorks(t *testing.T) {
	n := startNode(t)
	id := n.signUp("iv@example.com", "first-secret-1")
	number := strings.TrimPrefix(id, "gid://shopify/Customer/")
	bad := func(i int) gqlResponse {
		return n.post(resetByURL, map[string]any{"url": fmt.Sprintf("https://shop.example/account/reset/%s/guess%d", number, i), "password": "good-secret-9"},
			privateAs(n, fmt.Sprintf("198.51.100.%d", i+1)))
	}
	for i := range 10 {
		var p payload
		bad(i).field(t, "customerResetByUrl", &p)
		if len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "TOKEN_INVALID" {
			t.Fatalf("guess %d: %+v", i, p)
		}
	}
	n.recover("iv@example.com")
	link := n.resetURL("iv@example.com", 1)
	r := bad(10)
	if string(r.Data["customerResetByUrl"]) != "null" || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "THROTTLED" {
		t.Fatalf("11th bad token, after a new token was issued: %s", r.Raw)
	}
	if p := n.resetByURL(link, "good-secret-9"); p.Customer == nil {
		t.Fatalf("the genuine token was locked out: %+v", p)
	}
}

func TestShutdownFlushesQueuedMail(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) { c.Outbox.PollInterval = time.Hour })
	n.signUp("jo@example.com", "first-secret-1")
	n.recover("jo@example.com")
	n.stop()
	if got := n.smtp.Messages(); len(got) != 1 || got[0].To != "jo@example.com" {
		t.Fatalf("after shutdown the SMTP server holds %d messages, want the reset mail", len(got))
	}
}

// A shop whose storefront lives under a path (https://shop.example/store)
// is mailed links under that path, and customerResetByUrl redeems the
// link it mailed; the same link under another path is not the shop's.
func TestAStorefrontUnderAPathRedeemsTheLinksItIsMailed(t *testing.T) {
	n := startNode(t, func(_ *app.Config, s *storekeep.Shop) { s.StorefrontURL = "https://shop.example/store" })
	n.signUp("pa@example.com", "first-secret-1")
	n.recover("pa@example.com")
	msgs := n.smtp.WaitForMatch(t, func(m smtpMessage) bool { return m.To == "pa@example.com" }, 1, 10*time.Second)
	link := regexp.MustCompile(`https://shop\.example/store/account/reset/[0-9]+/[A-Za-z0-9_-]+`).FindString(msgs[0].Text)
	if link == "" {
		t.Fatalf("no link under the storefront's path in:\n%s", msgs[0].Text)
	}
	moved := strings.Replace(link, "/store/", "/elsewhere/", 1)
	if p := n.resetByURL(moved, "good-secret-9"); p.Customer != nil || len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "INVALID" {
		t.Errorf("the link under another path: %+v", p)
	}
	if p := n.resetByURL(link, "good-secret-9"); p.Customer == nil || len(p.CustomerUserErrors) != 0 {
		t.Fatalf("customerResetByUrl(%s) refused the link it mailed: %+v", link, p)
	}
}

// TestResetPasswordLengthIsCountedAsTyped holds Shopify's 5 to 40
// characters to the password as typed: one character that NFKC expands
// (U+FDFA, 18 characters once expanded) is too short, and 21 ligatures (42
// characters once expanded) are not too long.
func TestResetPasswordLengthIsCountedAsTyped(t *testing.T) {
	n := startNode(t)
	n.signUp("len@example.com", "first-secret-1")
	n.recover("len@example.com")
	link := n.resetURL("len@example.com", 1)

	oneChar := "\ufdfa"
	if p := n.resetByURL(link, oneChar); p.Customer != nil || len(p.CustomerUserErrors) != 1 ||
		p.CustomerUserErrors[0].Code != "TOO_SHORT" {
		t.Fatalf("a one-character password: %+v", p)
	}
	ligatures := strings.Repeat("\ufb01", 20) + "x" // 21 characters
	if p := n.resetByURL(link, ligatures); p.Customer == nil || len(p.CustomerUserErrors) != 0 {
		t.Fatalf("a 21-character password: %+v", p)
	}
}
