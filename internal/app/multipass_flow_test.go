package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/server"
	"github.com/storekeep/storekeep/multipass/multipasstest"
)

const (
	multipassSecret   = "a3f1c9e07b5d42868e1f0d9c7b6a5e4d"
	multipassMutation = `mutation($t: String!) { customerAccessTokenCreateWithMultipass(multipassToken: $t) {
		customerAccessToken { accessToken expiresAt } customerUserErrors { code field message } } }`
	multipassAccount = `query($t: String!) { customer(customerAccessToken: $t) { email firstName lastName tags
		defaultAddress { city countryCodeV2 provinceCode } } }`
)

// startMultipassNode starts a node whose shop has multipassSecret.
func startMultipassNode(t *testing.T, configure ...func(*app.Config, *storekeep.Shop)) *node {
	t.Helper()
	n := startNode(t, configure...)
	if err := n.app.Store.UpdateShop(context.Background(), n.shop, storekeep.ShopSecrets{Multipass: new(multipassSecret)}); err != nil {
		t.Fatal(err)
	}
	return n
}

// multipassData is a token's JSON for email, created at the node's now.
func (n *node) multipassData(email string, extra map[string]any) map[string]any {
	d := map[string]any{"email": email, "created_at": n.clock.Now().Format(time.RFC3339)}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

// multipassSignIn sends customerAccessTokenCreateWithMultipass.
func (n *node) multipassSignIn(token string, opts ...func(*request)) (gqlResponse, payload) {
	n.t.Helper()
	r := n.post(multipassMutation, map[string]any{"t": token}, opts...)
	var p payload
	if string(r.Data["customerAccessTokenCreateWithMultipass"]) != "null" {
		r.field(n.t, "customerAccessTokenCreateWithMultipass", &p)
	}
	return r, p
}

// refusedMultipass fails unless p is Shopify's INVALID_MULTIPASS_REQUEST.
func refusedMultipass(t *testing.T, what string, p payload) {
	t.Helper()
	if p.CustomerAccessToken != nil || len(p.CustomerUserErrors) != 1 || p.CustomerUserErrors[0].Code != "INVALID_MULTIPASS_REQUEST" ||
		strings.Join(p.CustomerUserErrors[0].Field, ".") != "multipassToken" ||
		!strings.HasPrefix(p.CustomerUserErrors[0].Message, "Invalid Multipass request") {
		t.Fatalf("%s: %+v, want INVALID_MULTIPASS_REQUEST on multipassToken", what, p)
	}
}

func TestMultipassSignsACustomerInOverHTTPOnceAndTheAccountPageWorks(t *testing.T) {
	n := startMultipassNode(t)
	token := multipasstest.Mint(t, multipassSecret, n.multipassData("ada@example.com", map[string]any{
		"first_name": "Ada", "last_name": "Lovelace", "tag_string": "sso", "identifier": "user-1",
		"addresses": []map[string]any{{"address1": "1 Main St", "city": "Toronto", "country": "Canada",
			"province": "Ontario", "zip": "M5V 2T6", "default": true}},
	}))
	_, p := n.multipassSignIn(token)
	if p.CustomerAccessToken == nil || len(p.CustomerUserErrors) != 0 {
		t.Fatalf("sign-in: %+v", p)
	}
	var account struct {
		Email, FirstName, LastName string
		Tags                       []string
		DefaultAddress             struct{ City, CountryCodeV2, ProvinceCode string }
	}
	n.post(multipassAccount, map[string]any{"t": p.CustomerAccessToken.AccessToken}).field(t, "customer", &account)
	if account.Email != "ada@example.com" || account.FirstName != "Ada" || account.LastName != "Lovelace" ||
		strings.Join(account.Tags, ",") != "sso" || account.DefaultAddress.City != "Toronto" ||
		account.DefaultAddress.CountryCodeV2 != "CA" || account.DefaultAddress.ProvinceCode != "ON" {
		t.Fatalf("account page: %+v", account)
	}
	_, again := n.multipassSignIn(token)
	refusedMultipass(t, "replay", again)

	logs := n.logs.String()
	for _, leaked := range []string{multipassSecret, token[:40], p.CustomerAccessToken.AccessToken} {
		if strings.Contains(logs, leaked) {
			t.Fatalf("the logs hold %q", leaked)
		}
	}
}

func TestMultipassRefusesForgedStaleAndForeignTokensOverHTTP(t *testing.T) {
	n := startMultipassNode(t)
	ctx := context.Background()
	plain, err := n.app.Store.CreateShop(ctx, storekeep.Shop{Domain: "plain.example", Name: "Plain", Enumeration: storekeep.EnumerationPrivate}, storekeep.ShopSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	value, _ := n.app.Keys.NewToken()
	if _, err := n.app.Store.CreateAPIToken(ctx, storekeep.APIToken{ShopID: plain.ID, Kind: storekeep.APITokenPublic,
		Scopes: []storekeep.Scope{storekeep.ScopeWriteCustomers}, Hash: n.app.Keys.Hash(value), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	valid := func() string { return multipasstest.Mint(t, multipassSecret, n.multipassData("eve@example.com", nil)) }
	tampered := multipasstest.Raw(t, valid())
	tampered[20] ^= 0x80
	for _, c := range []struct {
		name, token string
		opts        []func(*request)
	}{
		{"tampered", multipasstest.Encode(tampered), nil},
		{"wrong secret", multipasstest.Mint(t, "some-other-secret-0123456789", n.multipassData("eve@example.com", nil)), nil},
		{"not base64", "%%%", nil},
		{"expired", multipasstest.Mint(t, multipassSecret, map[string]any{"email": "eve@example.com",
			"created_at": n.clock.Now().Add(-20 * time.Minute).Format(time.RFC3339)}), nil},
		{"look-alike email", multipasstest.Mint(t, multipassSecret, n.multipassData("еve@example.com", nil)), nil},
		{"shop without a secret", valid(), []func(*request){withHeaders(map[string]string{server.PublicTokenHeader: value})}},
	} {
		_, p := n.multipassSignIn(c.token, c.opts...)
		refusedMultipass(t, c.name, p)
	}
	if _, err := n.app.Store.CustomerByEmail(ctx, n.shop.ID, "eve@example.com"); err == nil {
		t.Fatal("a refused token created a customer")
	}
}

func TestMultipassNeedsTheWriteCustomersScope(t *testing.T) {
	n := startMultipassNode(t)
	readOnly := n.apiToken(storekeep.APITokenPublic, storekeep.ScopeReadCustomers)
	r, _ := n.multipassSignIn(multipasstest.Mint(t, multipassSecret, n.multipassData("ada@example.com", nil)),
		withHeaders(map[string]string{server.PublicTokenHeader: readOnly}))
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "ACCESS_DENIED" {
		t.Fatalf("%s", r.Raw)
	}
}

func TestMultipassRemoteIPIsTheBuyersAndSignInsAreThrottledPerIP(t *testing.T) {
	n := startMultipassNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Account.LoginPerIP = storekeep.Limit{Count: 2, Per: time.Hour}
	})
	bound := func() string {
		return multipasstest.Mint(t, multipassSecret, n.multipassData("ada@example.com", map[string]any{"remote_ip": "198.51.100.23"}))
	}
	_, p := n.multipassSignIn(bound(), privateAs(n, "198.51.100.23"))
	if p.CustomerAccessToken == nil {
		t.Fatalf("the buyer the token names: %+v", p)
	}
	for range 2 {
		_, p = n.multipassSignIn(bound())
		refusedMultipass(t, "another client", p)
	}
	r, _ := n.multipassSignIn(bound())
	if !isThrottled(r, "customerAccessTokenCreateWithMultipass", loginThrottled) {
		t.Fatalf("third sign-in from 127.0.0.1: %s", r.Raw)
	}
	_, p = n.multipassSignIn(bound(), privateAs(n, "198.51.100.23"))
	if p.CustomerAccessToken == nil {
		t.Fatalf("another buyer's allowance is its own: %+v", p)
	}
}
