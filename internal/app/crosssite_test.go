package app_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/storekeep/storekeep/internal/server"
)

// simpleRequest is a request a web page on any origin can make a browser
// send without a preflight: GET, or POST with a CORS-safelisted
// Content-Type, and no header a script chose. query is appended to the
// API's endpoint.
type simpleRequest struct {
	method, query, contentType, body string
}

func (n *node) sendSimple(t *testing.T, s simpleRequest, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(s.method, n.base+"/api/2026-10/graphql.json"+s.query, strings.NewReader(s.body))
	if err != nil {
		t.Fatal(err)
	}
	if s.contentType != "" {
		req.Header.Set("Content-Type", s.contentType)
	}
	req.Header.Set("Origin", "https://attacker.example")
	req.Header.Set("Cookie", "session=victim")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("%s %s: Access-Control-Allow-Credentials %q", s.method, s.contentType, resp.Header.Get("Access-Control-Allow-Credentials"))
	}
	return resp.StatusCode, string(b)
}

// TestCrossSiteSimpleRequestsRunNoMutation: the Storefront API, like
// Shopify's, takes its token only from a header a page cannot add without
// a preflight, and only POST bodies of application/json or
// application/graphql, neither of which is safelisted. So no request a
// page on another origin makes a browser send without asking first (a
// form post, a text/plain fetch, an image's GET) runs customerRecover,
// customerReset or customerAccessTokenCreate, with the token in the query
// string or without it; and even the requests a page cannot send (a
// simple content type with the token header) are refused. The reset link
// still works afterwards, no reset mail went out and no access token came
// back.
func TestCrossSiteSimpleRequestsRunNoMutation(t *testing.T) {
	n := startNode(t)
	n.signUp("ada@example.com", "first-secret-1")
	n.recover("ada@example.com")
	link := n.resetURL("ada@example.com", 1)
	parts := regexp.MustCompile(`/account/reset/([0-9]+)/(.+)$`).FindStringSubmatch(link)
	mutations := map[string]string{
		"customerRecover":           `mutation { customerRecover(email: "ada@example.com") { customerUserErrors { code } } }`,
		"customerReset":             `mutation { customerReset(id: "gid://shopify/Customer/` + parts[1] + `", input: {resetToken: "` + parts[2] + `", password: "attacker-secret-9"}) { customerAccessToken { accessToken } } }`,
		"customerAccessTokenCreate": `mutation { customerAccessTokenCreate(input: {email: "ada@example.com", password: "first-secret-1"}) { customerAccessToken { accessToken } } }`,
	}
	for name, m := range mutations {
		asJSON := `{"query": ` + quote(m) + `}`
		form := url.Values{"query": {m}}.Encode()
		for _, tokenIn := range []string{"", "?access_token=" + n.public, "?" + server.PublicTokenHeader + "=" + n.public} {
			sep := "?"
			if tokenIn != "" {
				sep = "&"
			}
			for _, s := range []simpleRequest{
				{"POST", tokenIn, "text/plain", asJSON},
				{"POST", tokenIn, "text/plain; charset=utf-8", asJSON},
				{"POST", tokenIn, "application/x-www-form-urlencoded", form},
				{"POST", tokenIn, "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\n" + m + "\r\n--x--\r\n"},
				{"GET", tokenIn + sep + form, "", ""},
			} {
				status, body := n.sendSimple(t, s, nil)
				if status == http.StatusOK || strings.Contains(body, `"data"`) {
					t.Errorf("%s by %s %s%s: %d %s", name, s.method, s.contentType, s.query, status, body)
				}
			}
		}
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded"} {
			body := asJSON
			if ct != "text/plain" {
				body = form
			}
			status, answer := n.sendSimple(t, simpleRequest{"POST", "", ct, body}, http.Header{server.PublicTokenHeader: {n.public}})
			if status != http.StatusUnsupportedMediaType {
				t.Errorf("%s as %s with the token header: %d %s", name, ct, status, answer)
			}
		}
	}
	if p := n.resetByURL(link, "second-secret-2"); p.CustomerAccessToken == nil {
		t.Fatalf("the reset link no longer works: %+v", p)
	}
	n.stop()
	if got := n.smtp.Messages(); len(got) != 2 {
		t.Fatalf("%d mails, want the reset mail and the password-changed notice", len(got))
	}
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// TestCORSAllowsAnyOriginWithoutCredentials: as Shopify's, the API answers
// every origin, since its tokens are public and travel in a header, never
// in a cookie; so it never allows credentials, and a preflight allows only
// the public token's header, never the private token's or Buyer-IP.
func TestCORSAllowsAnyOriginWithoutCredentials(t *testing.T) {
	n := startNode(t)
	req, _ := http.NewRequest("OPTIONS", n.base+"/api/2026-10/graphql.json", nil)
	req.Header.Set("Origin", "https://attacker.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type, "+strings.ToLower(server.PrivateTokenHeader))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	allowed := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Access-Control-Allow-Credentials") != "" ||
		strings.Contains(allowed, strings.ToLower(server.PrivateTokenHeader)) || strings.Contains(allowed, strings.ToLower(server.BuyerIPHeader)) ||
		!strings.Contains(allowed, strings.ToLower(server.PublicTokenHeader)) {
		t.Fatalf("preflight answered %v", resp.Header)
	}
	status, body := n.sendSimple(t, simpleRequest{"POST", "", "application/json", `{"query": "{ __typename }"}`}, http.Header{server.PublicTokenHeader: {n.public}})
	if status != http.StatusOK || !strings.Contains(body, "QueryRoot") {
		t.Fatalf("a storefront on another origin: %d %s", status, body)
	}
}
