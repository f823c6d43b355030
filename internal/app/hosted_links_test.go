package app_test

import (
	"context"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/recovery"
)

// pageAnswer is a hosted page's answer, read whole.
type pageAnswer struct {
	status int
	header http.Header
	body   string
}

// page sends method to path on the node as a browser that opened a link
// of host would, without following redirects, with the header fields
// given as name, value pairs.
func (n *node) page(method, host, path string, header ...string) pageAnswer {
	n.t.Helper()
	req, err := http.NewRequest(method, n.base+path, nil)
	if err != nil {
		n.t.Fatal(err)
	}
	req.Host = host
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	answer, _ := fetchPage(n.t, client, req)
	return answer
}

// fetchPage sends req with client and returns its answer, read whole, and
// the cookies it sets.
func fetchPage(t testing.TB, client *http.Client, req *http.Request) (pageAnswer, []*http.Cookie) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return pageAnswer{status: resp.StatusCode, header: resp.Header, body: string(b)}, resp.Cookies()
}

// A shop whose storefront URL has a path has its links under it
// (/store/account/reset/...). Probed under that path with made-up tokens,
// the number of one of its customers, of another shop's customer at the
// same address and of nobody get the same answers, one after another,
// until the number's allowance of bad tokens is used up: the allowance is
// counted for every number, or a 429 after 10 tries would tell this
// shop's customers from the rest.
func TestBadLinksUnderAStorefrontPathSayNothingOfWhichCustomersExist(t *testing.T) {
	n := startNode(t, func(_ *app.Config, s *storekeep.Shop) { s.StorefrontURL = "https://shop.example/store" })
	mine := strings.TrimPrefix(n.signUp("ana@example.com", "first-secret-1"), "gid://shopify/Customer/")
	ctx := context.Background()
	other, err := n.app.Store.CreateShop(ctx, storekeep.Shop{Domain: "other.example", Name: "Other Shop",
		StorefrontURL: "https://shop.example", Enumeration: storekeep.EnumerationPrivate, CreatedAt: time.Now().UTC()}, storekeep.ShopSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := n.app.Accounts.Create(ctx, other, account.CreateInput{Email: "bo@example.com", Password: "first-secret-1"}, callerCLI)
	if err != nil {
		t.Fatal(err)
	}
	numbers := map[string]string{"this shop's customer": mine, "another shop's customer": strconv.FormatInt(theirs.ID, 10),
		"nobody": "987654"}

	tries := recovery.DefaultConfig().FailedTokensPerCustomer.Count + 2
	var first []pageAnswer
	firstName := ""
	for name, number := range numbers {
		var answers []pageAnswer
		for range tries {
			answers = append(answers, n.page("GET", "shop.example", "/store/account/reset/"+number+"/"+strings.Repeat("A", 43)))
		}
		if first == nil {
			first, firstName = answers, name
			continue
		}
		for i := range answers {
			if answers[i].status != first[i].status {
				t.Errorf("try %d: %s's number gets %d, %s's gets %d", i+1, name, answers[i].status, firstName, first[i].status)
			} else if answers[i].body != first[i].body {
				t.Errorf("try %d: %s's number gets another page than %s's:\n%s\n---\n%s", i+1, name, firstName,
					answers[i].body, first[i].body)
			}
		}
	}
	if last := first[tries-1].status; last != http.StatusTooManyRequests {
		t.Fatalf("try %d at one number: status %d, want 429 past the number's allowance", tries, last)
	}

	n.recover("ana@example.com")
	msgs := n.smtp.WaitForMatch(t, func(m smtpMessage) bool { return m.To == "ana@example.com" }, 1, 10*time.Second)
	link := regexp.MustCompile(`https://shop\.example(/store/account/reset/[0-9]+/[A-Za-z0-9_-]+)`).FindStringSubmatch(msgs[0].Text)
	if link == nil {
		t.Fatalf("no link under the storefront's path in:\n%s", msgs[0].Text)
	}
	if a := n.page("GET", "shop.example", link[1]); a.status != http.StatusOK || !strings.Contains(a.body, "csrf_token") {
		t.Fatalf("the genuine link past its number's allowance: %d", a.status)
	}
}

// A link reaches the node in many shapes: as mailed, with a doubled slash
// or a dot segment that the router answers with a redirect to the link,
// with a query, or with more path after the token, which no page serves.
// Every answer to any of them, by any method, is kept by no cache: the
// redirect's Location is the link, and an answer a shared cache kept
// would hold the link's URL for whoever reads the cache. The link still
// works afterwards.
func TestEveryAnswerUnderAHostedLinkIsKeptByNoCache(t *testing.T) {
	n := startNode(t)
	n.signUp("ana@example.com", "first-secret-1")
	n.recover("ana@example.com")
	link := n.resetURL("ana@example.com", 1)
	path := strings.TrimPrefix(link, "https://shop.example")
	shapes := []string{
		path,
		"/" + path,
		strings.Replace(path, "/account/", "/account//", 1),
		"/fr/../" + strings.TrimPrefix(path, "/"),
		path + "?utm_source=mail",
		path + "/",
		path + "/more",
	}
	redirects := 0
	for _, p := range shapes {
		for _, method := range []string{"GET", "HEAD", "POST", "PUT", "OPTIONS"} {
			a := n.page(method, "shop.example", p)
			if got := a.header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("%s %s: %d with Cache-Control %q, want no-store", method, p, a.status, got)
			}
			if a.status/100 == 3 {
				redirects++
			}
		}
	}
	if redirects == 0 {
		t.Fatal("no shape was answered with a redirect")
	}
	if css := n.page("GET", "shop.example", "/account/_assets/page.css"); css.header.Get("Cache-Control") != "public, max-age=86400" {
		t.Errorf("the stylesheet: %d with Cache-Control %q, want it kept a day", css.status, css.header.Get("Cache-Control"))
	}
	if p := n.resetByURL(link, "second-secret-2"); p.Customer == nil {
		t.Fatalf("the link no longer works: %+v", p)
	}
}

// auditTotal is how many audit events the node has recorded, folded
// repeats counted one by one.
func (n *node) auditTotal() int {
	n.t.Helper()
	events, err := n.app.Store.AuditEvents(context.Background(), 0, 0)
	if err != nil {
		n.t.Fatal(err)
	}
	total := 0
	for _, e := range events {
		total += e.Count
	}
	return total
}

// A bad link costs the node two reads and a write, an audit row or a
// count added to one, even once its client is past its allowance of bad
// links. One client could send thousands a second. Its hosted page
// requests now count against its --requests-per-ip with its API requests;
// past it a page request is answered 429 with a Retry-After, and reads
// and writes nothing. Other clients' links open.
func TestOneClientsPageRequestsAreBoundedWithItsAPIRequests(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.RequestsPerIP = storekeep.Limit{Count: 5, Per: time.Minute}
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	n.signUp("ana@example.com", "first-secret-1")
	n.recover("ana@example.com")
	link := strings.TrimPrefix(n.resetURL("ana@example.com", 1), "https://shop.example")
	bad := "/account/reset/987654/" + strings.Repeat("A", 43)
	const client = "198.51.100.7"

	for i := range 4 {
		if a := n.page("GET", "shop.example", bad, "X-Forwarded-For", client); a.status != http.StatusNotFound {
			t.Fatalf("bad link %d within the allowance: %d", i+1, a.status)
		}
	}
	if a := n.page("GET", "shop.example", link, "X-Forwarded-For", client); a.status != http.StatusOK {
		t.Fatalf("the genuine link within the allowance: %d", a.status)
	}
	audited := n.auditTotal()
	for _, p := range []string{bad, link} {
		a := n.page("GET", "shop.example", p, "X-Forwarded-For", client)
		if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") != "12" {
			t.Fatalf("GET %s past the allowance: %d, Retry-After %q", p, a.status, a.header.Get("Retry-After"))
		}
		if a.header.Get("Cache-Control") != "no-store" || strings.Contains(a.body, "987654") {
			t.Fatalf("GET %s past the allowance: Cache-Control %q:\n%s", p, a.header.Get("Cache-Control"), a.body)
		}
	}
	if got := n.auditTotal(); got != audited {
		t.Fatalf("refused page requests recorded %d audit events", got-audited)
	}
	wantThrottledRequest(t, n.post(`{ __typename }`, nil, fromClient(client)), "12")
	if a := n.page("GET", "shop.example", link, "X-Forwarded-For", "198.51.100.8"); a.status != http.StatusOK {
		t.Fatalf("another client's genuine link: %d", a.status)
	}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// resetOnPage opens the hosted page at path as a browser on host would,
// submits its form with pass twice and returns the answer, sending the
// header fields given as name, value pairs with both. The CSRF cookie is
// sent back by hand: it is Secure, as the storefront is https, and the
// node is reached over plain HTTP.
func (n *node) resetOnPage(host, path, pass string, header ...string) pageAnswer {
	n.t.Helper()
	var cookies []*http.Cookie
	do := func(req *http.Request) pageAnswer {
		req.Host = host
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		answer, set := fetchPage(n.t, http.DefaultClient, req)
		cookies = append(cookies, set...)
		return answer
	}
	get, err := http.NewRequest("GET", n.base+path, nil)
	if err != nil {
		n.t.Fatal(err)
	}
	form := do(get)
	token := csrfField.FindStringSubmatch(form.body)
	if form.status != http.StatusOK || token == nil {
		return form
	}
	fields := url.Values{"csrf_token": {token[1]}, "password": {pass}, "password_confirmation": {pass}}
	post, err := http.NewRequest("POST", n.base+path, strings.NewReader(fields.Encode()))
	if err != nil {
		n.t.Fatal(err)
	}
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(post)
}

// A shop's storefront URL may have any one-segment path, and its hosted
// pages serve the links mailed under it, /account included, whose links
// are /account/account/reset/<n>/<token>.
func TestAStorefrontPathHostsTheLinksMailedUnderIt(t *testing.T) {
	for _, base := range []string{"/store", "/account", "/fr"} {
		t.Run(base, func(t *testing.T) {
			n := startNode(t, func(_ *app.Config, s *storekeep.Shop) { s.StorefrontURL = "https://shop.example" + base })
			n.signUp("ana@example.com", "first-secret-1")
			n.recover("ana@example.com")
			msgs := n.smtp.WaitForMatch(t, func(m smtpMessage) bool { return m.To == "ana@example.com" }, 1, 10*time.Second)
			link := regexp.MustCompile(`https://shop\.example(` + base + `/account/reset/[0-9]+/[A-Za-z0-9_-]+)`).FindStringSubmatch(msgs[0].Text)
			if link == nil {
				t.Fatalf("no link under %s in:\n%s", base, msgs[0].Text)
			}
			if a := n.resetOnPage("shop.example", link[1], "second-secret-2"); a.status != http.StatusOK ||
				!strings.Contains(a.body, "Your password has been changed") {
				t.Fatalf("reset on the page of %s: %d:\n%s", link[1], a.status, a.body)
			}
			n.login("ana@example.com", "second-secret-2")
		})
	}
}

// The first segment of a link's path is its locale only when it is not
// the storefront's own path: a shop at https://shop.example/store mails
// /store/account/reset/..., and the notice of the new password goes out
// in the language the browser that chose it asks for, not in a locale
// named "store". A locale prefix on a link still wins over the browser's.
func TestAStorefrontPathIsNotTakenForTheLocale(t *testing.T) {
	for _, c := range []struct{ base, prefix, accept string }{
		{base: "/store", accept: "fr-CA,fr;q=0.9"},
		{prefix: "/fr", accept: "en"},
	} {
		t.Run(c.base+c.prefix, func(t *testing.T) {
			n := startNode(t, func(_ *app.Config, s *storekeep.Shop) { s.StorefrontURL = "https://shop.example" + c.base })
			n.signUp("ana@example.com", "first-secret-1")
			n.recover("ana@example.com")
			msgs := n.smtp.WaitForMatch(t, func(m smtpMessage) bool { return m.To == "ana@example.com" }, 1, 10*time.Second)
			link := regexp.MustCompile(`https://shop\.example(` + c.base + `/account/reset/[0-9]+/[A-Za-z0-9_-]+)`).FindStringSubmatch(msgs[0].Text)
			if link == nil {
				t.Fatalf("no link under %q in:\n%s", c.base, msgs[0].Text)
			}
			if a := n.resetOnPage("shop.example", c.prefix+link[1], "second-secret-2", "Accept-Language", c.accept); a.status != http.StatusOK {
				t.Fatalf("reset on the page: %d:\n%s", a.status, a.body)
			}
			notice := n.smtp.WaitForMatch(t, func(m smtpMessage) bool { return m.To == "ana@example.com" }, 2, 10*time.Second)[1]
			if !strings.HasPrefix(notice.Subject, "Le mot de passe") {
				t.Fatalf("the notice of the new password reads %q, not in French", notice.Subject)
			}
		})
	}
}
