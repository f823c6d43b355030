package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
	"github.com/storekeep/storekeep/internal/server"
)

// The host of a reset link comes from the shop's settings alone. A client
// that sends customerRecover with another Host, forwarding headers, an
// Origin or a Referer, for a shop with no storefront URL of its own (so
// that its links fall back to https://<domain>), must not move the link
// to a host it controls: a link mailed there would hand it the token.
func TestNoRequestHeaderMovesTheHostOfAResetLink(t *testing.T) {
	n := startNode(t, func(_ *app.Config, s *storekeep.Shop) { s.StorefrontURL = "" })
	n.signUp("ada@example.com", "first-secret-1")
	body, _ := json.Marshal(map[string]any{"query": recoverMutation, "variables": map[string]any{"email": "ada@example.com"}})
	req, err := http.NewRequest("POST", n.base+"/api/2026-10/graphql.json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "evil.example"
	for k, v := range map[string]string{
		"Content-Type":           "application/json",
		server.PublicTokenHeader: n.public,
		"X-Forwarded-Host":       "evil.example",
		"X-Forwarded-Proto":      "http",
		"X-Forwarded-Prefix":     "/phish",
		"X-Original-URL":         "http://evil.example/",
		"Forwarded":              "host=evil.example;proto=http",
		"Origin":                 "http://evil.example",
		"Referer":                "http://evil.example/account/login",
	} {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	m := n.smtp.WaitForMatch(t, func(m smtptest.Received) bool { return m.To == "ada@example.com" }, 1, 10*time.Second)[0]
	if strings.Contains(string(m.Raw), "evil") || strings.Contains(m.Text+m.HTML, "phish") {
		t.Fatalf("the mail names the client's host:\n%s", m.Raw)
	}
	links := regexp.MustCompile(`https?://[^\s"<>]+`).FindAllString(m.Text+m.HTML, -1)
	if len(links) == 0 {
		t.Fatal("no link in the mail")
	}
	for _, l := range links {
		if !strings.HasPrefix(l, "https://shop.example/account/reset/") {
			t.Errorf("link %s, want one under https://shop.example/account/reset/", l)
		}
	}
}

// The token is a reset link's secret: it is in the link and nowhere else
// in the mail, not in its Message-ID or any other header field, and the
// customer's internal id shows only as the link's customer number.
func TestAResetMailCarriesItsTokenOnlyInTheLink(t *testing.T) {
	n := startNode(t)
	n.signUp("ada@example.com", "first-secret-1")
	n.recover("ada@example.com")
	link := n.resetURL("ada@example.com", 1)
	token := link[strings.LastIndex(link, "/")+1:]
	m := n.smtp.Messages()[0]
	head, _, _ := strings.Cut(string(m.Raw), "\r\n\r\n")
	if strings.Contains(head, token) || strings.Contains(m.MessageID, token[:8]) {
		t.Errorf("the header carries the token:\n%s", head)
	}
	if got := strings.Count(m.Text, token); got != strings.Count(m.Text, link) {
		t.Errorf("the text part holds the token %d times outside its %d links", got, strings.Count(m.Text, link))
	}
	if got := strings.Count(m.HTML, token); got != strings.Count(m.HTML, link) {
		t.Errorf("the HTML part holds the token %d times outside its links", got)
	}
	for name := range m.Header {
		if strings.HasPrefix(strings.ToLower(name), "x-") {
			t.Errorf("the mail carries %s: %q", name, m.Header.Get(name))
		}
	}
}

// A send that fails is logged and its error kept for `storekeep mail
// list`; neither may hold the link, whose token opens the account.
func TestAFailedSendLogsAndKeepsNoLink(t *testing.T) {
	rejecting := smtptest.Start(t, smtptest.RejectRecipient("gone@example.com"), smtptest.DeferRecipient("later@example.com"))
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) { c.SMTP = rejecting.URL() })
	for _, e := range []string{"gone@example.com", "later@example.com"} {
		n.signUp(e, "first-secret-1")
		if r, p := n.recover(e); r.Status != 200 || len(p.CustomerUserErrors) > 0 {
			t.Fatalf("recover %s: %s", e, r.Raw)
		}
	}
	var records []storekeep.MailRecord
	eventuallyTrue(t, "both mails to have failed once", func() bool {
		var err error
		records, err = n.app.Store.ListMail(t.Context(), "", 0)
		failed := 0
		for _, r := range records {
			if r.Template == storekeep.TemplateReset && r.LastError != "" {
				failed++
			}
		}
		return err == nil && failed == 2
	})
	for _, r := range records {
		if strings.Contains(r.LastError, "/account/") {
			t.Errorf("mail %d's kept error holds the link: %q", r.ID, r.LastError)
		}
	}
	logs := n.logs.String()
	if !strings.Contains(logs, `"level":"WARN"`) {
		t.Fatalf("no failed send was logged:\n%s", logs)
	}
	if strings.Contains(logs, "/account/") {
		t.Errorf("the logs of the failed sends hold the link:\n%s", logs)
	}
}
