package accountpage_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/recovery"
)

// TestBadLinksSayNothingOfWhichCustomersExist probes the pages as an
// attacker would: customer numbers of this shop, of another shop hosted
// at the same address, and of nobody, each with a made-up token. Every
// answer must be the same page with the same status, name no shop, and
// count against the bad-link allowance until it is used up.
func TestBadLinksSayNothingOfWhichCustomersExist(t *testing.T) {
	f := newFixture(t)
	mine := f.customer(email, oldPass)
	other, err := f.store.CreateShop(f.ctx, storekeep.Shop{
		Domain: "other.example", Name: "Other Shop", StorefrontURL: f.srv.URL,
		Enumeration: storekeep.EnumerationPrivate, CreatedAt: time.Now().UTC(),
	}, storekeep.ShopSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := f.accounts.Create(f.ctx, other, account.CreateInput{Email: "bo@example.com", Password: oldPass}, caller)
	if err != nil {
		t.Fatal(err)
	}
	number := func(c storekeep.Customer) string { return strconv.FormatInt(c.ID, 10) }
	guess := strings.Repeat("A", 43)
	probes := []string{
		"/account/reset/" + number(mine) + "/" + guess,
		"/account/reset/" + number(theirs) + "/" + guess,
		"/account/reset/" + number(theirs) + "/x",
		"/account/reset/999999/" + guess,
		"/fr/account/reset/" + number(theirs) + "/" + guess,
		"/account/activate/" + number(theirs) + "/" + guess,
	}
	answers := map[string]string{}
	for _, p := range probes {
		r := f.get(p)
		if r.status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, r.status)
		}
		for _, name := range []string{"Example & Co", "Other Shop", f.srv.URL} {
			if strings.Contains(r.body, name) {
				t.Errorf("GET %s names %q:\n%s", p, name, r.body)
			}
		}
		if strings.Contains(r.body, "<a ") {
			t.Errorf("GET %s links somewhere, though it names no shop and no default storefront is set:\n%s", p, r.body)
		}
		segment := strings.Split(strings.TrimPrefix(p, "/fr"), "/")[2]
		if first, seen := answers[segment]; seen && first != r.body {
			t.Errorf("GET %s answers differently from another bad %s link:\n%s\n---\n%s", p, segment, r.body, first)
		}
		answers[segment] = r.body
	}

	allowance := recovery.DefaultConfig().FailedTokensPerIP.Count
	for range allowance - len(probes) {
		f.get(probes[3])
	}
	var throttled []string
	for _, p := range probes[:4] {
		r := f.get(p)
		if r.status != http.StatusTooManyRequests || strings.Contains(r.body, "Other Shop") || strings.Contains(r.body, "Example & Co") {
			t.Errorf("GET %s past the allowance: status %d:\n%s", p, r.status, r.body)
		}
		throttled = append(throttled, r.body)
	}
	for _, b := range throttled[1:] {
		if b != throttled[0] {
			t.Fatalf("throttled answers differ:\n%s\n---\n%s", b, throttled[0])
		}
	}
	expect(t, f.submit(f.resetPath(email), newPass), http.StatusOK, changed)
}
