package app_test

import (
	"context"
	"io"
	"net/http"
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
// of host would, without following redirects.
func (n *node) page(method, host, path string) pageAnswer {
	n.t.Helper()
	req, err := http.NewRequest(method, n.base+path, nil)
	if err != nil {
		n.t.Fatal(err)
	}
	req.Host = host
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		n.t.Fatal(err)
	}
	return pageAnswer{status: resp.StatusCode, header: resp.Header, body: string(b)}
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
		StorefrontURL: "https://shop.example", Enumeration: storekeep.EnumerationPrivate, CreatedAt: time.Now().UTC()})
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
