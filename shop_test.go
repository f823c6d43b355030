package storekeep

import (
	"reflect"
	"strings"
	"testing"
)

func TestNormalizeShopDomain(t *testing.T) {
	for in, want := range map[string]string{
		"shop.example":          "shop.example",
		" Shop.Example. ":       "shop.example",
		"xn--bcher-kva.example": "xn--bcher-kva.example",
		"localhost":             "localhost",
		"a-b.c1.example":        "a-b.c1.example",
	} {
		if got, err := NormalizeShopDomain(in); err != nil || got != want {
			t.Errorf("NormalizeShopDomain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, why := range map[string]string{
		"https://shop.example/":              "not a URL",
		"shop.example/account":               "not a URL",
		"shop.example:8080":                  "without a port",
		"not a domain":                       "not a host name",
		"":                                   "not a host name",
		"bücher.example":                     "xn--",
		"-shop.example":                      "not a host name",
		"shop..example":                      "not a host name",
		"shop_example.com":                   "not a host name",
		strings.Repeat("a", 64) + ".example": "not a host name",
		"shop.example\x00":                   "not a host name",
	} {
		if got, err := NormalizeShopDomain(in); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("NormalizeShopDomain(%q) = %q, %v; want a refusal saying %q", in, got, err, why)
		}
	}
}

func TestNormalizeStorefrontURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://shop.example":          "https://shop.example",
		"https://Shop.Example/":         "https://shop.example",
		"http://127.0.0.1:8080":         "http://127.0.0.1:8080",
		"http://[::1]:3000/":            "http://[::1]:3000",
		" https://shop.example/en-ca/ ": "https://shop.example/en-ca",
	} {
		if got, err := NormalizeStorefrontURL(in); err != nil || got != want {
			t.Errorf("NormalizeStorefrontURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, why := range map[string]string{
		"shop.example":                      "absolute URL",
		"not a domain":                      "absolute URL",
		"/account":                          "absolute URL",
		"ftp://shop.example":                "http or https",
		"javascript:alert(1)":               "absolute URL",
		"https://user:pw@shop.example":      "user name",
		"https://shop.example/?ref=1":       "no query",
		"https://shop.example/?":            "no query",
		"https://shop.example/#top":         "no query or fragment",
		"https://":                          "host",
		"https://shop_example.com":          "host",
		"https://shop.example:99999":        "port",
		"https://shop.example:0":            "port",
		"https://shop.example/a/../store":   ". or ..",
		"https://shop.example/./store":      ". or ..",
		"https://shop.example/store/..":     ". or ..",
		"https://shop.example/%2e%2e/store": ". or ..",
		"https://shop.example/store/%2E":    ". or ..",
	} {
		if got, err := NormalizeStorefrontURL(in); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("NormalizeStorefrontURL(%q) = %q, %v; want a refusal saying %q", in, got, err, why)
		}
	}
}

func TestParseScopes(t *testing.T) {
	got, err := ParseScopes(" unauthenticated_read_customers, unauthenticated_write_customers,unauthenticated_read_customers ")
	if want := []Scope{ScopeReadCustomers, ScopeWriteCustomers}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseScopes = %v, %v; want %v", got, err, want)
	}
	for _, in := range []string{"bogus_scope", "unauthenticated_read_customers,bogus_scope", "", " , "} {
		_, err := ParseScopes(in)
		if err == nil || !strings.Contains(err.Error(), "unauthenticated_write_customers, unauthenticated_read_customers") {
			t.Errorf("ParseScopes(%q): %v; want a refusal listing the scopes", in, err)
		}
	}
}
