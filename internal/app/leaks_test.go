package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

func TestErrorMessagesNameNoGoTypeAndEchoNoSubmittedURL(t *testing.T) {
	n := startNode(t)
	const secret = "SECRETTOKEN0123456789"
	cases := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"object variable", resetByURL, map[string]any{"url": map[string]any{"a": 1}, "password": "second-secret-2"}},
		{"number variable", resetByURL, map[string]any{"url": 12, "password": "second-secret-2"}},
		{"ftp variable", resetByURL, map[string]any{"url": "ftp://shop.example/account/reset/1/" + secret, "password": "second-secret-2"}},
		{"relative variable", resetByURL, map[string]any{"url": "/account/reset/1/" + secret, "password": "second-secret-2"}},
		{"object literal", `mutation { customerResetByUrl(resetUrl: {a: 1}, password: "second-secret-2") { customer { id } } }`, nil},
		{"ftp literal", `mutation { customerResetByUrl(resetUrl: "ftp://shop.example/account/reset/1/` + secret + `", password: "second-secret-2") { customer { id } } }`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := n.post(c.query, c.vars)
			if len(r.Errors) == 0 {
				t.Fatalf("no error: %s", r.Raw)
			}
			body := string(r.Raw)
			for _, leak := range []string{"map[", "interface", "json.Number", "float64", secret} {
				if strings.Contains(body, leak) {
					t.Errorf("answer shows %q: %s", leak, body)
				}
			}
			if !strings.Contains(r.Errors[0].Message, "URL must be an absolute http or https URL") {
				t.Errorf("message %q does not say what a URL must be", r.Errors[0].Message)
			}
		})
	}
}

// Every API answer, an error's too, is kept by no cache and read by no
// browser as anything but its declared type.
func TestAPIAnswersAreNeverCachedNorSniffed(t *testing.T) {
	n := startNode(t)
	n.signUp("cache@example.com", "first-secret-1")
	r := n.post(loginMutation, map[string]any{"input": map[string]any{"email": "cache@example.com", "password": "first-secret-1"}})
	if !strings.Contains(string(r.Raw), "accessToken") {
		t.Fatalf("no access token: %s", r.Raw)
	}
	bad := n.post(loginMutation, nil, withHeaders(map[string]string{"X-Shopify-Storefront-Access-Token": "nope"}))
	old := n.post(loginMutation, nil, func(r *request) { r.version = "1999-01" })
	for name, resp := range map[string]gqlResponse{"token answer": r, "unauthorized": bad, "old version": old} {
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", name, got)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q, want nosniff", name, got)
		}
	}
}

func TestEveryOlderVersionAnswersAsTheOldestSupported(t *testing.T) {
	n := startNode(t)
	var oldest string
	for _, v := range []string{"2000-01", "1999-01", "1970-10", "0001-04"} {
		r := n.post(`{ __typename }`, nil, func(r *request) { r.version = v })
		if r.Status != 200 {
			t.Fatalf("%s: status %d %s", v, r.Status, r.Raw)
		}
		got := r.Header.Get("X-Shopify-API-Version")
		if oldest == "" {
			oldest = got
		}
		if got != oldest || got == v {
			t.Errorf("%s answered as %q, want the oldest supported (%q)", v, got, oldest)
		}
	}
	for _, v := range []string{"1999-02", "+999-01", "9999-01"} {
		if r := n.post(`{ __typename }`, nil, func(r *request) { r.version = v }); r.Status != 404 {
			t.Errorf("%s: status %d, want 404", v, r.Status)
		}
	}
}

func TestDevMailboxRefusesAReboundHostName(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) { c.DevMailbox = true })
	for host, want := range map[string]int{"attacker.example": 403, "attacker.example:80": 403, "localhost": 200, strings.TrimPrefix(n.base, "http://"): 200} {
		if code, _ := getNaming(t, n.base+"/_dev/mailbox/messages", host); code != want {
			t.Errorf("Host %q: status %d, want %d", host, code, want)
		}
	}
}

// TestEnvelopeMembersAreCheckedInAnyCase: gqlgen decodes the request envelope as encoding/json decodes a struct,
// matching member names without regard to case ("Variables" is variables),
// so the envelope check must too: a member of the wrong type in any case
// is refused as 400 BAD_REQUEST saying what it must be, never handed to
// gqlgen, whose decoding error names Go types and echoes the whole body.
func TestEnvelopeMembersAreCheckedInAnyCase(t *testing.T) {
	n := startNode(t)
	const secret = "SECRET-IN-THE-BODY-0123456789"
	for body, want := range map[string]string{
		`{"query":"{ __typename }","Variables":"` + secret + `"}`:         "variables must be an object.",
		`{"query":"{ __typename }","VARIABLES":["` + secret + `"]}`:       "variables must be an object.",
		`{"Query":{"q":"` + secret + `"}}`:                                "query must be a string.",
		`{"query":"{ __typename }","OperationName":["` + secret + `"]}`:   "operationName must be a string.",
		`{"query":"{ __typename }","extensionS":"` + secret + `"}`:        "extensions must be an object.",
		"{\"query\":\"{ __typename }\",\"variableſ\":\"" + secret + "\"}": "variables must be an object.",
	} {
		a := n.send(t, rawRequest{contentType: "application/json", body: strings.NewReader(body)})
		b := refusal(t, a, http.StatusBadRequest, "BAD_REQUEST")
		if b.Errors[0].Message != want {
			t.Errorf("%s: message %q, want %q", body, b.Errors[0].Message, want)
		}
		for _, leak := range []string{secret, "Go struct", "RawParams", "map[string]interface"} {
			if strings.Contains(string(a.body), leak) {
				t.Errorf("%s: answer shows %q: %s", body, leak, a.body)
			}
		}
	}
}
