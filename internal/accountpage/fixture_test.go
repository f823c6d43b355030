package accountpage_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/accountpage"
	"github.com/storekeep/storekeep/internal/ratelimit"
	"github.com/storekeep/storekeep/internal/secret"
	"github.com/storekeep/storekeep/internal/store/sqlite"
	"github.com/storekeep/storekeep/internal/store/sqlite/sqlitetest"
	"github.com/storekeep/storekeep/password"
	"github.com/storekeep/storekeep/recovery"
)

// fixture is the hosted pages over a real SQLite store and the real
// recovery and account services, behind a real HTTP server whose address
// is the shop's storefront URL.
type fixture struct {
	t        *testing.T
	ctx      context.Context
	store    *sqlite.Store
	keys     *secret.Keyring
	recovery *recovery.Service
	accounts *account.Service
	srv      *httptest.Server
	shop     storekeep.Shop
	client   *http.Client
}

// newFixture starts the pages for a shop whose storefront URL is the
// server's own address, or storefront when it is given.
func newFixture(t *testing.T, storefront ...string) *fixture {
	t.Helper()
	ctx := t.Context()
	store, keys := sqlitetest.Open(t)
	hasher, err := password.NewHasher(password.Params{Memory: 8 * 1024, Time: 1, Threads: 1}, 2, 64)
	if err != nil {
		t.Fatal(err)
	}
	pw := password.Kit{Hasher: hasher, Policy: password.DefaultPolicy()}
	limiter := ratelimit.NewMemory(time.Now, 0, nil)
	f := &fixture{t: t, ctx: ctx, store: store, keys: keys}
	f.accounts = account.New(account.Deps{Store: store, Limiter: limiter, Keys: keys, Passwords: pw}, account.Config{})
	f.recovery = recovery.New(recovery.Deps{Store: store, Limiter: limiter, Keys: keys, Passwords: pw, Sessions: f.accounts}, recovery.Config{})

	pages := accountpage.New(accountpage.Config{Shops: store, Recovery: f.recovery, Keys: keys})
	mux := http.NewServeMux()
	for _, p := range []string{"/account/{page}/{n}/{token}", "/{locale}/account/{page}/{n}/{token}", "/account/_assets/{file}"} {
		mux.Handle(p, pages)
	}
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)

	base := f.srv.URL
	if len(storefront) > 0 {
		base = storefront[0]
	}
	f.shop, err = store.CreateShop(ctx, storekeep.Shop{
		Domain: "shop.example", Name: "Example & Co", StorefrontURL: base,
		Enumeration: storekeep.EnumerationPrivate, CreatedAt: time.Now().UTC(),
	}, storekeep.ShopSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	f.client = f.newClient()
	return f
}

// newClient is a browser-like client: it keeps cookies and does not
// follow redirects.
func (f *fixture) newClient() *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var caller = storekeep.Caller{IP: "203.0.113.1", UserAgent: "fixture"}

// customer signs up email with pass.
func (f *fixture) customer(email, pass string) storekeep.Customer {
	f.t.Helper()
	c, err := f.accounts.Create(f.ctx, f.shop, account.CreateInput{Email: email, Password: pass}, caller)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// resetPath asks for a reset link for email and returns its path, as
// mailed. The shop's private enumeration mode answers first and queues the
// lookup as an outbox job, so it runs that job as the outbox worker would.
func (f *fixture) resetPath(email string) string {
	f.t.Helper()
	if err := f.recovery.Recover(f.ctx, f.shop, email, caller); err != nil {
		f.t.Fatal(err)
	}
	claimed, err := f.store.Claim(f.ctx, time.Now().Add(time.Second), time.Minute, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, job := range claimed.Jobs {
		if job.Kind == storekeep.JobOrdersWaiting {
			if _, err := f.recovery.ProcessOrdersWaiting(f.ctx, job); err != nil {
				f.t.Fatal(err)
			}
			continue
		}
		done, err := f.recovery.ProcessRecoverRequest(f.ctx, job)
		if err != nil {
			f.t.Fatal(err)
		}
		if !done {
			f.t.Fatalf("a recover job for %s did not complete itself", email)
		}
	}
	return f.mailedPath(storekeep.TemplateReset)
}

// activationPath invites a new customer and returns the path of the
// activation link mailed to them.
func (f *fixture) activationPath(email string) string {
	f.t.Helper()
	c, err := f.accounts.CreateInvited(f.ctx, f.shop, account.CreateInput{Email: email})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.recovery.Invite(f.ctx, f.shop, c, caller); err != nil {
		f.t.Fatal(err)
	}
	return f.mailedPath(storekeep.TemplateActivation)
}

// mailedPath takes the queued mail from the outbox and returns the path
// of the link in the newest one of template.
func (f *fixture) mailedPath(template storekeep.Template) string {
	f.t.Helper()
	claimed, err := f.store.Claim(f.ctx, time.Now().Add(time.Second), time.Minute, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	link := ""
	for _, m := range claimed.Mail {
		if m.Template == template {
			link = m.Data.URL
		}
	}
	u, err := url.Parse(link)
	if err != nil || link == "" {
		f.t.Fatalf("no %s mail queued (link %q)", template, link)
	}
	if got := u.Scheme + "://" + u.Host; got != f.shop.StorefrontURL {
		f.t.Fatalf("link %s is not on the storefront %s", link, f.shop.StorefrontURL)
	}
	return u.Path
}

// tokenUsable reports whether the link at path can still be redeemed.
func (f *fixture) tokenUsable(path string, purpose storekeep.TokenPurpose) bool {
	f.t.Helper()
	segment := "reset"
	if purpose == storekeep.PurposeActivation {
		segment = "activate"
	}
	id, token, ok := recovery.ParseAccountURL(path, "", segment)
	if !ok {
		f.t.Fatalf("not a %s link: %s", segment, path)
	}
	_, err := f.store.CustomerTokenByHash(f.ctx, f.shop.ID, id, purpose, f.keys.Hashes(token))
	if err != nil && err != storekeep.ErrNotFound {
		f.t.Fatal(err)
	}
	return err == nil
}

// response is an answer with its body, HTML entities decoded.
type response struct {
	status int
	header http.Header
	body   string
}

func (f *fixture) do(client *http.Client, req *http.Request) response {
	f.t.Helper()
	res, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: html.UnescapeString(string(b))}
}

func (f *fixture) get(path string) response {
	f.t.Helper()
	req, err := http.NewRequest("GET", f.srv.URL+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.do(f.client, req)
}

// post submits the form at path with the given fields, from the same
// origin as a browser on the page would.
func (f *fixture) post(client *http.Client, path string, form url.Values, header ...string) response {
	f.t.Helper()
	req, err := http.NewRequest("POST", f.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", f.srv.URL)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return f.do(client, req)
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf returns the CSRF token of the form in page.
func (f *fixture) csrf(page response) string {
	f.t.Helper()
	m := csrfInput.FindStringSubmatch(page.body)
	if m == nil {
		f.t.Fatalf("no CSRF field in the page (status %d):\n%s", page.status, page.body)
	}
	return m[1]
}

// fill opens the form at path and returns its fields filled with the two
// passwords.
func (f *fixture) fill(path, pass, confirm string) url.Values {
	f.t.Helper()
	page := f.get(path)
	if page.status != http.StatusOK {
		f.t.Fatalf("GET %s: status %d:\n%s", path, page.status, page.body)
	}
	return url.Values{"csrf_token": {f.csrf(page)}, "password": {pass}, "password_confirmation": {confirm}}
}

// submit opens the form at path and submits it with pass twice.
func (f *fixture) submit(path, pass string) response {
	f.t.Helper()
	return f.post(f.client, path, f.fill(path, pass, pass))
}

func (f *fixture) loginWorks(email, pass string) bool {
	f.t.Helper()
	_, err := f.accounts.Login(f.ctx, f.shop, email, pass, caller)
	if err != nil && storekeep.ErrorCode(err) != storekeep.CodeUnidentifiedCustomer {
		f.t.Fatal(err)
	}
	return err == nil
}

func expect(t *testing.T, r response, status int, texts ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d:\n%s", r.status, status, r.body)
	}
	for _, s := range texts {
		if !strings.Contains(r.body, s) {
			t.Fatalf("page lacks %q:\n%s", s, r.body)
		}
	}
}
