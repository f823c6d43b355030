package recovery

import (
	"testing"

	"github.com/storekeep/storekeep"
)

func TestAccountURLRoundTrips(t *testing.T) {
	shop := storekeep.Shop{Domain: "shop.example"}
	u := AccountURL(shop.LinkBase(""), "reset", 42, "tok_en-1")
	if u != "https://shop.example/account/reset/42/tok_en-1" {
		t.Fatalf("default storefront: %s", u)
	}
	if u := AccountURL(shop.LinkBase("http://127.0.0.1:8080/"), "reset", 42, "t"); u != "http://127.0.0.1:8080/account/reset/42/t" {
		t.Fatalf("server's default storefront: %s", u)
	}
	shop.StorefrontURL = "http://localhost:3000/"
	if u := AccountURL(shop.LinkBase("http://127.0.0.1:8080"), "activate", 7, "t"); u != "http://localhost:3000/account/activate/7/t" {
		t.Fatalf("configured storefront: %s", u)
	}
}

func TestParseAccountURL(t *testing.T) {
	cases := []struct {
		url   string
		id    int64
		token string
		ok    bool
		base  string
	}{
		{"https://shop.example/account/reset/42/abc-_XYZ", 42, "abc-_XYZ", true, ""},
		{"https://other.host/account/reset/42/abc/", 42, "abc", true, ""},
		{"https://shop.example/en-ca/account/reset/42/abc?x=1#y", 42, "abc", true, ""},
		{"https://shop.example/fr/account/reset/42/abc", 42, "abc", true, ""},
		{"https://shop.example/zh-hant-tw/account/reset/1/abc", 1, "abc", true, ""},
		{"https://shop.example/account/activate/42/abc", 0, "", false, ""},
		{"https://shop.example/account/reset/042/abc", 0, "", false, ""},
		{"https://shop.example/account/reset/0/abc", 0, "", false, ""},
		{"https://shop.example/account/reset/-4/abc", 0, "", false, ""},
		{"https://shop.example/account/reset/99999999999999999999/abc", 0, "", false, ""},
		{"https://shop.example/account/reset/42", 0, "", false, ""},
		{"https://shop.example/account/reset/42/a b", 0, "", false, ""},
		{"https://shop.example/x/y/account/reset/42/abc", 0, "", false, ""},
		{"https://shop.example/12/account/reset/42/abc", 0, "", false, ""},
		{"https://shop.example/account/reset/42/abc/extra", 0, "", false, ""},
		{"::not a url", 0, "", false, ""},
		{"https://shop.example/store/account/reset/42/abc", 42, "abc", true, "/store"},
		{"https://shop.example/store/fr/account/reset/42/abc", 42, "abc", true, "/store/"},
		{"https://shop.example/shops/eu/account/reset/42/abc", 42, "abc", true, "/shops/eu"},
		{"https://shop.example/account/reset/42/abc", 42, "abc", true, "/store"},
		{"https://shop.example/other/account/reset/42/abc", 0, "", false, "/store"},
		{"https://shop.example/storefront/account/reset/42/abc", 0, "", false, "/store"},
		{"https://shop.example/store/x/y/account/reset/42/abc", 0, "", false, "/store"},
	}
	for _, c := range cases {
		id, token, ok := ParseAccountURL(c.url, c.base, "reset")
		if id != c.id || token != c.token || ok != c.ok {
			t.Errorf("%s: got %d %q %v", c.url, id, token, ok)
		}
	}
}

func TestAccountBaseIsThePathBeforeTheLastAccountSegment(t *testing.T) {
	for path, want := range map[string]string{
		"/account/reset/1/tok":                "",
		"/fr/account/reset/1/tok":             "/fr",
		"/store/account/reset/1/tok":          "/store",
		"/account/account/reset/1/tok":        "/account",
		"/shop/account/account/activate/2/tk": "/shop/account",
		"/no/link/here":                       "",
	} {
		if got := AccountBase(path); got != want {
			t.Errorf("AccountBase(%q) = %q, want %q", path, got, want)
		}
	}
}
