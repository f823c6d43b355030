package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/address"
	"github.com/storekeep/storekeep/internal/graph"
	"github.com/storekeep/storekeep/internal/secret"
	"github.com/storekeep/storekeep/internal/server"
	"github.com/storekeep/storekeep/order"
)

// oneShop is a ShopStore holding one shop and one token with every scope.
type oneShop struct {
	shop  storekeep.Shop
	token storekeep.APIToken
}

func (s oneShop) APITokenByHash(_ context.Context, hashes [][]byte) (storekeep.APIToken, storekeep.Shop, error) {
	for _, h := range hashes {
		if bytes.Equal(h, s.token.Hash) {
			return s.token, s.shop, nil
		}
	}
	return storekeep.APIToken{}, storekeep.Shop{}, storekeep.ErrNotFound
}

func (s oneShop) APITokenHashes(context.Context) ([][]byte, error) {
	return [][]byte{s.token.Hash}, nil
}

func (oneShop) CreateShop(context.Context, storekeep.Shop, storekeep.ShopSecrets) (storekeep.Shop, error) {
	return storekeep.Shop{}, errors.ErrUnsupported
}
func (oneShop) ShopByDomain(context.Context, string) (storekeep.Shop, error) {
	return storekeep.Shop{}, storekeep.ErrNotFound
}
func (oneShop) ShopByID(context.Context, int64) (storekeep.Shop, error) {
	return storekeep.Shop{}, storekeep.ErrNotFound
}
func (oneShop) ShopOfCustomer(context.Context, int64) (storekeep.Shop, error) {
	return storekeep.Shop{}, storekeep.ErrNotFound
}
func (oneShop) UpdateShop(context.Context, storekeep.Shop, storekeep.ShopSecrets) error {
	return errors.ErrUnsupported
}
func (oneShop) CreateAPIToken(context.Context, storekeep.APIToken) (storekeep.APIToken, error) {
	return storekeep.APIToken{}, errors.ErrUnsupported
}

// scripted answers every service call from its input: an email or
// password holding "bad" is a user error, "slow" is throttled, "boom" an
// internal failure; anything else succeeds.
type scripted struct{}

var (
	fuzzCustomer = storekeep.Customer{ID: 42, Email: "ann@example.com", Tags: []string{}, State: storekeep.CustomerEnabled,
		CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	fuzzToken = storekeep.IssuedAccessToken{Token: "access", ExpiresAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}
)

func outcome(inputs ...string) error {
	all := strings.Join(inputs, " ")
	switch {
	case strings.Contains(all, "boom"):
		return errors.New("storage failed")
	case strings.Contains(all, "slow"):
		return storekeep.Throttled("Too many requests. Please try again later.")
	case strings.Contains(all, "bad"):
		return errors.Join(storekeep.NewError(storekeep.CodeInvalid, []string{"email"}, "Email is invalid"),
			storekeep.NewError(storekeep.CodeTooShort, []string{"password"}, "Password is too short"))
	}
	return nil
}

func (scripted) Recover(_ context.Context, _ storekeep.Shop, email string, _ storekeep.Caller) error {
	return outcome(email)
}

func (scripted) redeem(inputs ...string) (storekeep.Customer, storekeep.IssuedAccessToken, error) {
	if err := outcome(inputs...); err != nil {
		return storekeep.Customer{}, storekeep.IssuedAccessToken{}, err
	}
	return fuzzCustomer, fuzzToken, nil
}

func (s scripted) Reset(_ context.Context, _ storekeep.Shop, id, token, pw string, _ storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error) {
	return s.redeem(id, token, pw)
}

func (s scripted) ResetByURL(_ context.Context, _ storekeep.Shop, url, pw string, _ storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error) {
	return s.redeem(url, pw)
}

func (s scripted) Activate(_ context.Context, _ storekeep.Shop, id, token, pw string, _ storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error) {
	return s.redeem(id, token, pw)
}

func (s scripted) ActivateByURL(_ context.Context, _ storekeep.Shop, url, pw string, _ storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error) {
	return s.redeem(url, pw)
}

func (s scripted) Create(_ context.Context, _ storekeep.Shop, in account.CreateInput, _ storekeep.Caller) (storekeep.Customer, error) {
	c, _, err := s.redeem(in.Email, in.Password)
	return c, err
}

func (s scripted) Login(_ context.Context, _ storekeep.Shop, email, pw string, _ storekeep.Caller) (storekeep.IssuedAccessToken, error) {
	_, t, err := s.redeem(email, pw)
	return t, err
}

func (s scripted) Renew(_ context.Context, _ storekeep.Shop, token string) (storekeep.IssuedAccessToken, error) {
	_, t, err := s.redeem(token)
	return t, err
}

func (s scripted) Delete(_ context.Context, _ storekeep.Shop, token string) (string, error) {
	_, _, err := s.redeem(token)
	return "gid://shopify/CustomerAccessToken/1", err
}

func (s scripted) CustomerByToken(_ context.Context, _ storekeep.Shop, token string) (storekeep.Customer, bool, error) {
	c, _, err := s.redeem(token)
	return c, err == nil && token != "", err
}

func (s scripted) Update(_ context.Context, _ storekeep.Shop, token string, in account.UpdateInput, _ storekeep.Caller) (storekeep.Customer, *storekeep.IssuedAccessToken, error) {
	c, t, err := s.redeem(token)
	return c, &t, err
}

var fuzzAddress = storekeep.MailingAddress{ID: 7, CustomerID: 42, City: "Ottawa", Country: "Canada", CountryCode: "CA", Default: true}

func (scripted) CustomerOrders(context.Context, storekeep.Customer, order.PageArgs) (order.Page, error) {
	return order.Page{}, nil
}

func (scripted) CountOrders(context.Context, storekeep.Customer) (int64, error) { return 0, nil }

func (scripted) ByGID(context.Context, storekeep.Shop, string) (order.Keyed, bool, error) {
	return order.Keyed{}, false, nil
}

func (scripted) StatusURL(storekeep.Shop, storekeep.Order) string {
	return "https://shop.example/status"
}
func (scripted) CustomerURL(storekeep.Shop, storekeep.Order) string {
	return "https://shop.example/account/orders/1"
}

func (s scripted) Addresses(_ context.Context, _ storekeep.Customer, p storekeep.Page) (storekeep.Window[storekeep.MailingAddress], error) {
	return storekeep.Paginate([]storekeep.MailingAddress{fuzzAddress}, func(a storekeep.MailingAddress) int64 { return a.ID }, p)
}

func (s scripted) DefaultAddress(context.Context, storekeep.Customer) (storekeep.MailingAddress, bool, error) {
	return fuzzAddress, true, nil
}

func (s scripted) CreateAddress(_ context.Context, _ storekeep.Shop, token string, in address.Input, _ storekeep.Caller) (storekeep.MailingAddress, error) {
	_, _, err := s.redeem(token)
	return fuzzAddress, err
}

func (s scripted) UpdateAddress(_ context.Context, _ storekeep.Shop, token, id string, in address.Input, _ storekeep.Caller) (storekeep.MailingAddress, error) {
	_, _, err := s.redeem(token, id)
	return fuzzAddress, err
}

func (s scripted) DeleteAddress(_ context.Context, _ storekeep.Shop, token, id string, _ storekeep.Caller) (string, error) {
	_, _, err := s.redeem(token, id)
	return id, err
}

func (s scripted) SetDefaultAddress(_ context.Context, _ storekeep.Shop, token, id string, _ storekeep.Caller) (storekeep.Customer, error) {
	c, _, err := s.redeem(token, id)
	return c, err
}

// fuzzStack is the HTTP front and the GraphQL layer as a node assembles
// them, over scripted services, with the token the requests carry.
func fuzzStack(t testing.TB) (http.Handler, string, *bytes.Buffer) {
	key, err := secret.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secret.New(key)
	if err != nil {
		t.Fatal(err)
	}
	value, err := keys.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	shops := oneShop{
		shop: storekeep.Shop{ID: 1, Domain: "shop.example", Name: "Shop", Enumeration: storekeep.EnumerationPrivate},
		token: storekeep.APIToken{ID: 1, ShopID: 1, Kind: storekeep.APITokenPublic, Hash: keys.Hash(value),
			Scopes: []storekeep.Scope{storekeep.ScopeReadCustomers, storekeep.ScopeWriteCustomers}},
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	gql := graph.NewHandler(&graph.Resolver{Recovery: scripted{}, Accounts: scripted{}, OrderBook: scripted{}, Logger: log})
	h := server.New(server.Config{Shops: shops, Keys: keys, GraphQL: gql, Logger: log,
		Now: func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }})
	return h, value, &logs
}

// insides matches what a Go failure shows: a stack trace, a source
// position, a module path.
var insides = regexp.MustCompile(`goroutine \d+ \[|\.go:\d+|runtime/debug|github\.com/storekeep`)

// FuzzGraphQLRequest sends arbitrary bodies, under arbitrary content types,
// through the real HTTP front and GraphQL handler. Whatever comes in, the
// answer is JSON, never a 5xx, never shows a stack trace or a source path,
// and nothing panics.
func FuzzGraphQLRequest(f *testing.F) {
	h, token, logs := fuzzStack(f)
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		logs.Reset()
		req := httptest.NewRequest(http.MethodPost, "/api/2026-10/graphql.json", bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set(server.PublicTokenHeader, token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		out := rec.Body.Bytes()
		if rec.Code >= 500 {
			t.Fatalf("status %d: %s", rec.Code, out)
		}
		if !json.Valid(out) {
			t.Fatalf("status %d, not JSON: %q", rec.Code, out)
		}
		if insides.Match(out) && !insides.Match(body) {
			t.Fatalf("answer shows a stack trace or source path: %s", out)
		}
		if bytes.Contains(logs.Bytes(), []byte("panic")) {
			t.Fatalf("a request made the stack panic: %s", logs.Bytes())
		}
	})
}
