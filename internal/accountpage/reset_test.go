package accountpage_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/recovery"
)

const (
	email    = "ada@example.com"
	oldPass  = "first-secret-1"
	newPass  = "second-secret-2"
	tooShort = "Password is too short (minimum is 5 characters)"
	changed  = "Your password has been changed"
	deadLink = "Reset password link is invalid or has expired"
)

func TestGetShowsTheFormAndLeavesTheTokenUsable(t *testing.T) {
	f := newFixture(t)
	f.customer(email, oldPass)
	path := f.resetPath(email)

	for range 3 { // a mail scanner, a link preview, then the customer
		page := f.get(path)
		expect(t, page, http.StatusOK, "Example & Co", "Reset your password", `method="post"`,
			`name="password"`, `name="password_confirmation"`, `action="`+path+`"`)
		f.csrf(page)
	}
	if !f.tokenUsable(path, storekeep.PurposeReset) {
		t.Fatal("GET spent the reset token")
	}

	done := f.submit(path, newPass)
	expect(t, done, http.StatusOK, changed, `href="`+f.srv.URL+`"`)
	if strings.Contains(done.body, `name="password"`) {
		t.Fatal("success page still shows the form")
	}
	if f.tokenUsable(path, storekeep.PurposeReset) {
		t.Fatal("token still usable after the reset")
	}
	if !f.loginWorks(email, newPass) || f.loginWorks(email, oldPass) {
		t.Fatal("the new password does not sign in, or the old one still does")
	}
}

func TestMismatchedPasswordsKeepTheToken(t *testing.T) {
	f := newFixture(t)
	f.customer(email, oldPass)
	path := f.resetPath(email)

	r := f.post(f.client, path, f.fill(path, newPass, newPass+"x"))
	expect(t, r, http.StatusUnprocessableEntity, "Password confirmation doesn't match Password", `name="password"`)
	if !f.tokenUsable(path, storekeep.PurposeReset) || !f.loginWorks(email, oldPass) {
		t.Fatal("a mismatched confirmation changed something")
	}
}

func TestTooShortPasswordShowsTheDomainMessageAndKeepsTheToken(t *testing.T) {
	f := newFixture(t)
	f.customer(email, oldPass)
	path := f.resetPath(email)

	r := f.submit(path, "abc")
	expect(t, r, http.StatusUnprocessableEntity, tooShort, `name="password"`)
	if strings.Contains(r.body, `value="abc"`) {
		t.Fatal("the page echoes the password")
	}
	if !f.tokenUsable(path, storekeep.PurposeReset) {
		t.Fatal("a rejected password spent the token")
	}

	retry := f.post(f.client, path, map[string][]string{
		"csrf_token": {f.csrf(r)}, "password": {newPass}, "password_confirmation": {newPass},
	})
	expect(t, retry, http.StatusOK, changed)
	if !f.loginWorks(email, newPass) {
		t.Fatal("the retried reset did not take")
	}
}

func TestCommonPasswordIsRefusedAsTheMutationRefusesIt(t *testing.T) {
	f := newFixture(t)
	f.customer(email, oldPass)
	path := f.resetPath(email)

	expect(t, f.submit(path, "password"), http.StatusUnprocessableEntity, "Password is too common")
	expect(t, f.submit(path, " "+newPass), http.StatusUnprocessableEntity, "Password starts or ends with whitespace")
	if !f.tokenUsable(path, storekeep.PurposeReset) {
		t.Fatal("a rejected password spent the token")
	}
}

func TestReusedLinkShowsTheInvalidLinkMessage(t *testing.T) {
	f := newFixture(t)
	f.customer(email, oldPass)
	path := f.resetPath(email)
	expect(t, f.submit(path, newPass), http.StatusOK, changed)

	again := f.get(path)
	expect(t, again, http.StatusNotFound, deadLink)
	if strings.Contains(again.body, `name="password"`) {
		t.Fatal("a dead link still shows the form")
	}
	if !f.loginWorks(email, newPass) {
		t.Fatal("the reused link changed the password")
	}
}

func TestNewerLinkVoidsTheOlderOne(t *testing.T) {
	f := newFixture(t)
	f.customer(email, oldPass)
	older := f.resetPath(email)
	newer := f.resetPath(email)

	expect(t, f.get(older), http.StatusNotFound, deadLink)
	expect(t, f.submit(newer, newPass), http.StatusOK, changed)
}

func TestLocalePrefixedLinkWorks(t *testing.T) {
	f := newFixture(t)
	f.customer(email, oldPass)
	path := "/fr-ca" + f.resetPath(email)

	expect(t, f.get(path), http.StatusOK, "Reset your password", `action="`+path+`"`)
	expect(t, f.submit(path, newPass), http.StatusOK, changed)
	if !f.loginWorks(email, newPass) {
		t.Fatal("the reset did not take")
	}
}

// Bad links count against the customer number they name (10 an hour,
// with the API's bad tokens) and against the client IP (100 an hour, for
// every customer and shop); past either the page answers 429, and the
// customer's genuine link still opens.
func TestBadTokensAreThrottledButTheGenuineOneStillWorks(t *testing.T) {
	f := newFixture(t)
	c := f.customer(email, oldPass)
	path := f.resetPath(email)
	number := strings.Split(path, "/")[3]
	if number != strings.TrimPrefix(c.GID(), "gid://shopify/Customer/") {
		t.Fatalf("link %s is not for customer %s", path, c.GID())
	}

	guess := func(n string) string { return "/account/reset/" + n + "/" + strings.Repeat("A", 43) }
	perCustomer, perIP := recovery.DefaultConfig().FailedTokensPerCustomer.Count, recovery.DefaultConfig().FailedTokensPerIP.Count
	for i := range perCustomer {
		if r := f.get(guess(number)); r.status != http.StatusNotFound || !strings.Contains(r.body, deadLink) {
			t.Fatalf("bad token %d for the customer: status %d:\n%s", i+1, r.status, r.body)
		}
	}
	expect(t, f.get(guess(number)), http.StatusTooManyRequests, "Too many attempts. Please try again later.")
	for i := perCustomer + 1; i < perIP; i++ {
		if r := f.get(guess(strconv.Itoa(1000 + i))); r.status != http.StatusNotFound || !strings.Contains(r.body, deadLink) {
			t.Fatalf("bad link %d from the IP: status %d:\n%s", i+1, r.status, r.body)
		}
	}
	expect(t, f.get(guess("999999")), http.StatusTooManyRequests, "Too many attempts. Please try again later.")
	expect(t, f.post(f.newClient(), guess(number), url.Values{"password": {newPass}, "password_confirmation": {newPass}}),
		http.StatusTooManyRequests, "Too many attempts. Please try again later.")
	expect(t, f.submit(path, newPass), http.StatusOK, changed)
}
