package accountpage_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestPagesSendStrictHeaders(t *testing.T) {
	f := newFixture(t)
	f.customer(email, oldPass)
	path := f.resetPath(email)

	page := f.get(path)
	want := map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
		"Cache-Control":           "no-store",
		"X-Content-Type-Options":  "nosniff",
		"Content-Type":            "text/html; charset=utf-8",
	}
	for _, r := range []response{page, f.submit(path, "abc"), f.get("/account/reset/1/nope!")} {
		for k, v := range want {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s: %q, want %q", k, got, v)
			}
		}
	}
	cookie := page.header.Get("Set-Cookie")
	for _, attr := range []string{"Path=" + path, "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(cookie, attr) {
			t.Errorf("CSRF cookie %q lacks %s", cookie, attr)
		}
	}
	if strings.Contains(strings.ToLower(page.body), "<script") || strings.Contains(page.body, "style=") {
		t.Fatal("the page needs script or inline style, which its CSP forbids")
	}
}

func TestStylesheetIsServedFromTheEmbeddedFile(t *testing.T) {
	f := newFixture(t)
	f.customer(email, oldPass)
	page := f.get(f.resetPath(email))
	m := regexp.MustCompile(`<link rel="stylesheet" href="(/account/_assets/page\.css\?v=[0-9a-f]+)">`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no stylesheet link:\n%s", page.body)
	}
	css := f.get(m[1])
	expect(t, css, http.StatusOK, ".card")
	if ct := css.header.Get("Content-Type"); ct != "text/css; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	expect(t, f.get("/account/_assets/other.css"), http.StatusNotFound)
}

func TestLinksNotHostedHereAreNotServed(t *testing.T) {
	f := newFixture(t)
	f.customer(email, oldPass)
	path := f.resetPath(email)
	number := strings.Split(path, "/")[3]

	for _, p := range []string{
		"/account/reset/999999/" + strings.Repeat("A", 43),
		"/account/reset/" + number + "/not-a-token!",
		"/account/reset/0/" + strings.Repeat("A", 43),
		"/1234567/account/reset/" + number + "/" + strings.Repeat("A", 43),
		"/account/login",
	} {
		if r := f.get(p); r.status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, r.status)
		}
	}
}

func TestShopWithItsOwnStorefrontHasNoHostedPages(t *testing.T) {
	f := newFixture(t, "https://shop.example")
	f.customer(email, oldPass)
	path := f.resetPath(email)
	expect(t, f.get(path), http.StatusNotFound, deadLink)
	if r := f.post(f.client, path, map[string][]string{"password": {newPass}, "password_confirmation": {newPass}}); r.status != http.StatusNotFound {
		t.Fatalf("POST: status %d, want 404", r.status)
	}
}
