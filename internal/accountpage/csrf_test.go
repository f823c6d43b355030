package accountpage_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
)

func TestSubmissionsWithoutAValidCSRFTokenAreRefused(t *testing.T) {
	f := newFixture(t)
	f.customer(email, oldPass)
	path := f.resetPath(email)
	other := "/fr" + path

	valid := f.fill(path, newPass, newPass)
	with := func(token string) url.Values {
		return url.Values{"csrf_token": {token}, "password": {newPass}, "password_confirmation": {newPass}}
	}
	cookieFor := func(p string) string {
		c := f.newClient()
		req, _ := http.NewRequest("GET", f.srv.URL+p, nil)
		f.do(c, req)
		u, _ := url.Parse(f.srv.URL + p)
		for _, ck := range c.Jar.Cookies(u) {
			return ck.Value
		}
		t.Fatal("the page set no cookie")
		return ""
	}

	cases := []struct {
		name   string
		client *http.Client
		form   url.Values
		header []string
	}{
		{"no cookie, no field", f.newClient(), url.Values{"password": {newPass}, "password_confirmation": {newPass}}, nil},
		{"field without its cookie", f.newClient(), valid, nil},
		{"cookie without the field", f.client, with(""), nil},
		{"field differs from cookie", f.client, with(cookieFor(path)), nil},
		{"token forged without the key", f.newClient(), with("forged.AAAA"), []string{"Cookie", "storekeep_csrf=forged.AAAA"}},
		{"token of another page", f.newClient(), with(cookieFor(other)), []string{"Cookie", "storekeep_csrf=" + cookieFor(other)}},
		{"cross-site request", f.client, valid, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.post(c.client, path, c.form, c.header...)
			if r.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403:\n%s", r.status, r.body)
			}
			if !f.tokenUsable(path, storekeep.PurposeReset) || !f.loginWorks(email, oldPass) {
				t.Fatal("a refused submission changed something")
			}
		})
	}

	expired := f.post(f.newClient(), path, valid)
	expect(t, expired, http.StatusForbidden, "This form has expired", `href="`+path+`"`)
	if strings.Contains(expired.body, newPass) {
		t.Fatal("the page echoes the password")
	}
	expect(t, f.post(f.client, path, valid), http.StatusOK, changed)
}

// A link opened twice in one browser (a double click, a second tab) keeps
// one CSRF token, so the form first opened still submits.
func TestLinkOpenedTwiceKeepsTheFirstFormUsable(t *testing.T) {
	f := newFixture(t)
	f.customer(email, oldPass)
	path := f.resetPath(email)

	first := f.fill(path, newPass, newPass)
	second := f.fill(path, newPass, newPass)
	if first.Get("csrf_token") != second.Get("csrf_token") {
		t.Error("the second page has a CSRF token of its own")
	}
	expect(t, f.post(f.client, path, first), http.StatusOK, changed)
}

// A form body is read up to 16 KiB; a larger one is refused as too large,
// not as an expired form, and changes nothing.
func TestFormOverSixteenKiBIsRefusedAsTooLarge(t *testing.T) {
	f := newFixture(t)
	f.customer(email, oldPass)
	path := f.resetPath(email)
	fields := f.fill(path, newPass, newPass)
	padTo := func(size int) url.Values {
		padded := url.Values{"pad": {strings.Repeat("a", size-len(fields.Encode()+"&pad="))}}
		for k, v := range fields {
			padded[k] = v
		}
		if n := len(padded.Encode()); n != size {
			t.Fatalf("the padded form is %d bytes, not %d", n, size)
		}
		return padded
	}

	for _, size := range []int{16<<10 + 1, 64 << 10} {
		r := f.post(f.client, path, padTo(size))
		expect(t, r, http.StatusRequestEntityTooLarge, "This form is too large")
		if !f.tokenUsable(path, storekeep.PurposeReset) || !f.loginWorks(email, oldPass) {
			t.Fatalf("a form of %d bytes changed something", size)
		}
	}
	expect(t, f.post(f.client, path, padTo(16<<10)), http.StatusOK, changed)
}
