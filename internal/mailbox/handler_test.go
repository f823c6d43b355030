package mailbox_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/mailbox"
	"github.com/storekeep/storekeep/internal/store/sqlite"
	"github.com/storekeep/storekeep/internal/store/sqlite/sqlitetest"
)

const link = "https://shop.example/account/reset/12/tok_AbC-9"

type fixture struct {
	t     *testing.T
	store *sqlite.Store
	srv   *httptest.Server
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	store, _ := sqlitetest.Open(t)
	mux := http.NewServeMux()
	h := mailbox.NewHandler(store, slog.New(slog.DiscardHandler))
	mux.Handle(mailbox.Path, h)
	mux.Handle(mailbox.Path+"/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &fixture{t: t, store: store, srv: srv}
}

func (f *fixture) save(to, subject string, at time.Time) storekeep.MailboxMessage {
	f.t.Helper()
	m, err := f.store.SaveMailboxMessage(context.Background(), storekeep.MailboxMessage{
		ShopID:     1,
		MessageID:  "m" + strconv.FormatInt(at.UnixNano(), 10) + "@shop.example",
		From:       "Bob's Shop <no-reply@shop.example>",
		To:         to,
		Subject:    subject,
		Text:       "Hi,\n\nOpen " + link + ".\n\nBye <3",
		HTML:       `<p style="color:red">Open <a href="` + link + `">this</a></p><script>alert("x")</script>`,
		ReceivedAt: at,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

func (f *fixture) do(method, path string, header http.Header) (*http.Response, string) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, string(body)
}

func (f *fixture) get(path string) (*http.Response, string) {
	f.t.Helper()
	return f.do(http.MethodGet, path, nil)
}

func (f *fixture) count() int {
	f.t.Helper()
	msgs, err := f.store.MailboxMessages(context.Background(), "", 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return len(msgs)
}

var t0 = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

func TestListPageShowsMessagesNewestFirst(t *testing.T) {
	f := newFixture(t)
	old := f.save("ana@example.com", "Older subject", t0)
	recent := f.save("zoe@example.com", "Newer <b>subject</b>", t0.Add(time.Minute))
	for _, path := range []string{"/_dev/mailbox", "/_dev/mailbox/"} {
		resp, body := f.get(path)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %s %s", path, resp.Status, resp.Header.Get("Content-Type"))
		}
		newer, older := strings.Index(body, "Newer &lt;b&gt;subject&lt;/b&gt;"), strings.Index(body, "Older subject")
		if newer < 0 || older < 0 || newer > older {
			t.Errorf("GET %s: want both subjects, escaped, newest first:\n%s", path, body)
		}
		for _, m := range []storekeep.MailboxMessage{old, recent} {
			if !strings.Contains(body, `href="/_dev/mailbox/`+strconv.FormatInt(m.ID, 10)+`"`) {
				t.Errorf("GET %s: no link to message %d", path, m.ID)
			}
		}
		if !strings.Contains(body, "zoe@example.com") || !strings.Contains(body, "2026-03-01 09:31:00 UTC") {
			t.Errorf("GET %s: recipient or time missing", path)
		}
		if !strings.Contains(body, `<form method="post" action="/_dev/mailbox/clear">`) {
			t.Errorf("GET %s: no clear button", path)
		}
	}
}

func TestListPageFiltersByRecipient(t *testing.T) {
	f := newFixture(t)
	f.save("ana@example.com", "For Ana", t0)
	f.save("zoe@example.com", "For Zoe", t0)
	_, body := f.get("/_dev/mailbox?to=ANA@example.com")
	if !strings.Contains(body, "For Ana") || strings.Contains(body, "For Zoe") {
		t.Errorf("filtered page:\n%s", body)
	}
	_, body = f.get("/_dev/mailbox?to=nobody@example.com")
	if !strings.Contains(body, "No messages to nobody@example.com") {
		t.Errorf("empty filtered page:\n%s", body)
	}
}

func TestListPageWhenEmpty(t *testing.T) {
	f := newFixture(t)
	resp, body := f.get("/_dev/mailbox")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "No messages yet") {
		t.Errorf("%s\n%s", resp.Status, body)
	}
}

func TestMessagePageShowsBothPartsSafely(t *testing.T) {
	f := newFixture(t)
	m := f.save("ana@example.com", "Reset your password", t0)
	resp, body := f.get("/_dev/mailbox/" + strconv.FormatInt(m.ID, 10))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s\n%s", resp.Status, body)
	}
	if !strings.Contains(body, `Open <a href="`+link+`" target="_blank" rel="noreferrer noopener">`+link+`</a>.`) {
		t.Errorf("text part's link is not clickable:\n%s", body)
	}
	if !strings.Contains(body, "Bye &lt;3") {
		t.Error("text part is not escaped")
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, `<p style="color:red">`) {
		t.Error("HTML part is in the page unescaped")
	}
	if !strings.Contains(body, `sandbox="allow-popups allow-popups-to-escape-sandbox"`) ||
		!strings.Contains(body, `srcdoc="&lt;p style=&#34;color:red&#34;&gt;Open`) {
		t.Errorf("HTML part is not in a sandboxed srcdoc iframe:\n%s", body)
	}
	if strings.Contains(body, "allow-scripts") || strings.Contains(body, "allow-same-origin") {
		t.Error("sandbox lets scripts run")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	for _, want := range []string{"Reset your password", "ana@example.com", "Bob&#39;s Shop &lt;no-reply@shop.example&gt;", m.MessageID} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestMessagePageNotFound(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/_dev/mailbox/999", "/_dev/mailbox/abc", "/_dev/mailbox/-1", "/_dev/mailbox/1/2"} {
		if resp, _ := f.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", path, resp.Status)
		}
	}
}

func TestMessagesJSON(t *testing.T) {
	f := newFixture(t)
	ana := f.save("Ana@Example.com", "For Ana", t0)
	f.save("zoe@example.com", "For Zoe", t0.Add(time.Second))

	resp, body := f.get("/_dev/mailbox/messages?to=" + url.QueryEscape("ana@example.com"))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("%d messages to ana, want 1: %s", len(list), body)
	}
	got := list[0]
	want := map[string]any{
		"id": float64(ana.ID), "messageId": ana.MessageID, "from": ana.From, "to": "Ana@Example.com",
		"subject": "For Ana", "text": ana.Text, "html": ana.HTML, "receivedAt": "2026-03-01T09:30:00Z",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("fields %v, want exactly %v", got, want)
	}

	_, body = f.get("/_dev/mailbox/messages")
	var all []struct{ Subject string }
	if err := json.Unmarshal([]byte(body), &all); err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Subject != "For Zoe" {
		t.Errorf("all messages, newest first: %+v", all)
	}
	_, body = f.get("/_dev/mailbox/messages?limit=1")
	if err := json.Unmarshal([]byte(body), &all); err != nil || len(all) != 1 {
		t.Errorf("limit=1: %s", body)
	}
}

func TestMessagesJSONIsAnEmptyListWhenEmpty(t *testing.T) {
	f := newFixture(t)
	_, body := f.get("/_dev/mailbox/messages?to=nobody@example.com")
	if strings.TrimSpace(body) != "[]" {
		t.Errorf("body = %q, want []", body)
	}
}

func TestMessagesJSONRejectsBadLimit(t *testing.T) {
	f := newFixture(t)
	for _, limit := range []string{"0", "-3", "x", "100000"} {
		if resp, _ := f.get("/_dev/mailbox/messages?limit=" + limit); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("limit=%s: %s, want 400", limit, resp.Status)
		}
	}
}

func TestDeleteMessagesClearsMailbox(t *testing.T) {
	f := newFixture(t)
	f.save("ana@example.com", "One", t0)
	f.save("zoe@example.com", "Two", t0)
	resp, _ := f.do(http.MethodDelete, "/_dev/mailbox/messages", nil)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: %s", resp.Status)
	}
	if n := f.count(); n != 0 {
		t.Errorf("%d messages left", n)
	}
}

func TestClearFormClearsMailboxAndReturnsToList(t *testing.T) {
	f := newFixture(t)
	f.save("ana@example.com", "One", t0)
	resp, _ := f.do(http.MethodPost, "/_dev/mailbox/clear", http.Header{"Origin": {f.srv.URL}, "Sec-Fetch-Site": {"same-origin"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/_dev/mailbox" {
		t.Fatalf("POST clear: %s → %q", resp.Status, resp.Header.Get("Location"))
	}
	if n := f.count(); n != 0 {
		t.Errorf("%d messages left", n)
	}
}

func TestClearRefusesCrossSiteRequests(t *testing.T) {
	f := newFixture(t)
	f.save("ana@example.com", "One", t0)
	cross := http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}
	for _, req := range []struct{ method, path string }{{http.MethodPost, "/_dev/mailbox/clear"}, {http.MethodDelete, "/_dev/mailbox/messages"}} {
		if resp, _ := f.do(req.method, req.path, cross); resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site %s %s: %s, want 403", req.method, req.path, resp.Status)
		}
	}
	if n := f.count(); n != 1 {
		t.Errorf("%d messages left, want 1", n)
	}
}

func TestWrongMethodIsRefused(t *testing.T) {
	f := newFixture(t)
	for _, req := range []struct{ method, path string }{
		{http.MethodPost, "/_dev/mailbox/messages"},
		{http.MethodPatch, "/_dev/mailbox/clear"},
		{http.MethodPut, "/_dev/mailbox"},
	} {
		if resp, _ := f.do(req.method, req.path, nil); resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %s, want 405", req.method, req.path, resp.Status)
		}
	}
}

// firstRead is a mailbox store that reports its first read of messages,
// so a test knows a request is under way before it delivers the mail.
type firstRead struct {
	storekeep.MailboxStore
	once sync.Once
	read chan struct{}
}

func (s *firstRead) MailboxMessages(ctx context.Context, to string, limit int) ([]storekeep.MailboxMessage, error) {
	msgs, err := s.MailboxStore.MailboxMessages(ctx, to, limit)
	s.once.Do(func() { close(s.read) })
	return msgs, err
}

func TestMessagesJSONWaitsForTheFirstMessage(t *testing.T) {
	f := newFixture(t)
	store := &firstRead{MailboxStore: f.store, read: make(chan struct{})}
	srv := httptest.NewServer(mailbox.NewHandler(store, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)

	type answer struct {
		list []struct{ To, Subject string }
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		var a answer
		resp, err := http.Get(srv.URL + "/_dev/mailbox/messages?to=ana@example.com&wait=" + mailbox.MaxWait.String())
		if err != nil {
			done <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		a.err = json.NewDecoder(resp.Body).Decode(&a.list)
		done <- a
	}()
	<-store.read
	f.save("zoe@example.com", "Not for Ana", t0)
	f.save("ana@example.com", "For Ana", t0)
	a := <-done
	if a.err != nil {
		t.Fatal(a.err)
	}
	if len(a.list) != 1 || a.list[0].Subject != "For Ana" {
		t.Errorf("waited for %+v, want the mail to Ana", a.list)
	}
}

func TestMessagesJSONWaitEndsWithAnEmptyList(t *testing.T) {
	f := newFixture(t)
	resp, body := f.get("/_dev/mailbox/messages?to=nobody@example.com&wait=100ms")
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(body) != "[]" {
		t.Errorf("%s %q, want 200 []", resp.Status, body)
	}
}

func TestMessagesJSONRejectsBadWait(t *testing.T) {
	f := newFixture(t)
	for _, wait := range []string{"x", "5", "-1s", (mailbox.MaxWait + time.Millisecond).String(), "1h"} {
		if resp, _ := f.get("/_dev/mailbox/messages?wait=" + url.QueryEscape(wait)); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("wait=%s: %s, want 400", wait, resp.Status)
		}
	}
}

func TestOnlyLoopbackNamesAndTheConfiguredHostAreAnswered(t *testing.T) {
	store, _ := sqlitetest.Open(t)
	h := mailbox.NewHandler(store, slog.New(slog.DiscardHandler), "dev.internal")
	mux := http.NewServeMux()
	mux.Handle(mailbox.Path+"/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	cases := map[string]int{
		"127.0.0.1:" + port:      http.StatusOK,
		"localhost:" + port:      http.StatusOK,
		"LOCALHOST.":             http.StatusOK,
		"app.localhost:" + port:  http.StatusOK,
		"[::1]:" + port:          http.StatusOK,
		"127.8.9.10":             http.StatusOK,
		"dev.internal:" + port:   http.StatusOK,
		"DEV.internal":           http.StatusOK,
		"evil.example:" + port:   http.StatusForbidden,
		"localhost.evil.example": http.StatusForbidden,
		"10.0.0.5:" + port:       http.StatusForbidden,
	}
	for host, want := range cases {
		req, err := http.NewRequest("GET", srv.URL+mailbox.Path+"/messages", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %q: status %d, want %d: %s", host, resp.StatusCode, want, body)
		}
		if want == http.StatusForbidden && !strings.Contains(string(body), "Invalid Host header") {
			t.Errorf("Host %q: body %q", host, body)
		}
	}
}

// The Host header is the client's to choose: a peer on the internet that
// reaches a node listening on every address must not read the live links
// by sending Host: localhost. Peers on loopback and on private networks
// (a container's bridge, a LAN) are answered; public ones are refused,
// whatever Host they name.
func TestOnlyPeersOnLoopbackAndPrivateNetworksAreAnswered(t *testing.T) {
	store, _ := sqlitetest.Open(t)
	h := mailbox.NewHandler(store, slog.New(slog.DiscardHandler))
	cases := map[string]bool{
		"127.0.0.1:50000":            true,
		"[::1]:50000":                true,
		"172.17.0.1:50000":           true,
		"10.1.2.3:50000":             true,
		"192.168.1.20:50000":         true,
		"[fd00::5]:50000":            true,
		"[fe80::1]:50000":            true,
		"[::ffff:192.168.1.20]:5000": true,
		"203.0.113.66:51234":         false,
		"[2001:db8::66]:51234":       false,
		"[::ffff:203.0.113.66]:5000": false,
		"8.8.8.8:53":                 false,
		"not-an-address":             false,
	}
	for peer, answered := range cases {
		for _, req := range []*http.Request{
			httptest.NewRequest(http.MethodGet, mailbox.Path+"/messages", nil),
			httptest.NewRequest(http.MethodDelete, mailbox.Path+"/messages", nil),
		} {
			req.RemoteAddr, req.Host = peer, "localhost"
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if refused := rec.Code == http.StatusForbidden; refused == answered {
				t.Errorf("%s from %s: status %d, want it answered: %v: %s", req.Method, peer, rec.Code, answered, rec.Body)
			}
			if !answered && !strings.Contains(rec.Body.String(), mailbox.RemotePeerMessage) {
				t.Errorf("%s from %s: body %q", req.Method, peer, rec.Body)
			}
		}
	}
}

// TestRecipientFilterTakesTheAddressAsSignUpTakesIt asks for the mail of an
// address as a customer signed up with it: the mail went to the address
// storekeep keeps (its domain in ASCII form), and the filter finds it
// under either spelling, on the page and in the JSON list.
func TestRecipientFilterTakesTheAddressAsSignUpTakesIt(t *testing.T) {
	f := newFixture(t)
	f.save("Ada@xn--strae-oqa.de", "For Ada", t0)
	f.save("zoe@example.com", "For Zoe", t0)
	for _, to := range []string{"Ada@xn--strae-oqa.de", "ada@straße.de", "ada@ｓｔｒａßｅ.de"} {
		_, body := f.get("/_dev/mailbox/messages?to=" + url.QueryEscape(to))
		var list []struct{ Subject string }
		if err := json.Unmarshal([]byte(body), &list); err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Subject != "For Ada" {
			t.Errorf("JSON ?to=%s: %+v, want the mail for Ada", to, list)
		}
		if _, page := f.get("/_dev/mailbox?to=" + url.QueryEscape(to)); !strings.Contains(page, "For Ada") {
			t.Errorf("page ?to=%s does not list the mail for Ada", to)
		}
	}
}
