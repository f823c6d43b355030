package multipass_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/internal/ratelimit"
	"github.com/storekeep/storekeep/internal/store/sqlite"
	"github.com/storekeep/storekeep/multipass"
	"github.com/storekeep/storekeep/multipass/multipasstest"
)

func TestATokenMadeAsShopifySpecifiesSignsANewCustomerIn(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	token := multipasstest.Mint(t, shopSecret, f.data("Ada@Example.com", map[string]any{
		"first_name": "Ada", "last_name": "Lovelace", "tag_string": "vip, wholesale,vip,", "identifier": 4217,
		"remote_ip": f.caller.IP, "return_to": "https://shop.example/account",
		"addresses": []map[string]any{{
			"address1": "1 Main St", "city": "Ottawa", "country": "Canada", "province": "Ontario", "zip": "K1A 0B1",
			"first_name": "Ada", "last_name": "Lovelace", "phone": "613-555-0100", "province_code": "ON",
			"country_code": "CA", "default": true,
		}},
	}))
	c := f.mustSignIn(token)
	if c.Email != "Ada@example.com" || c.EmailKey != "ada@example.com" || c.FirstName != "Ada" || c.LastName != "Lovelace" ||
		c.State != storekeep.CustomerEnabled || c.PasswordHash != "" ||
		strings.Join(c.Tags, ",") != "vip,wholesale" {
		t.Fatalf("customer = %+v", c)
	}
	if id := f.identifier(c); id != "4217" {
		t.Fatalf("identifier = %q", id)
	}
	list, err := f.store.Addresses(f.ctx, f.shop.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || !list[0].Default || list[0].CountryCode != "CA" || list[0].ProvinceCode != "ON" || list[0].Phone != "+16135550100" {
		t.Fatalf("addresses = %+v", list)
	}
	if got := f.audits(storekeep.AuditMultipassLogin); len(got) != 1 || got[0].CustomerID != c.ID || got[0].Detail != "created" {
		t.Fatalf("multipass_login audits = %+v", got)
	}
}

func TestTokensOfEveryIssuerEncodingAreAccepted(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	b := multipasstest.Raw(t, multipasstest.Mint(t, shopSecret, f.data("padded@example.com", nil)))
	f.mustSignIn(multipasstest.Encode(b))
	b = multipasstest.Raw(t, multipasstest.Mint(t, shopSecret, f.data("unpadded@example.com", nil)))
	f.mustSignIn(base64.RawURLEncoding.EncodeToString(b))
	for _, at := range []string{
		f.clock().Add(-time.Minute).Format("2006-01-02T15:04:05.000Z07:00"),
		f.clock().In(time.FixedZone("", -4*3600)).Format("2006-01-02T15:04:05-0700"),
	} {
		f.mustSignIn(multipasstest.Mint(t, shopSecret, map[string]any{"email": "at" + at[len(at)-3:] + "@example.com", "created_at": at}))
	}
}

// TestRefusedTokens: every token below is refused with
// INVALID_MULTIPASS_REQUEST and changes nothing.
func TestRefusedTokens(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	other := "another shop's secret, 1234567890"
	f.newShop("other.example", other)
	now := f.clock()
	good := func() string { return multipasstest.Mint(t, shopSecret, f.data("eve@example.com", nil)) }
	flip := func(token string, at func(n int) int) string {
		b := multipasstest.Raw(t, token)
		b[at(len(b))] ^= 1
		return multipasstest.Encode(b)
	}
	badPadding := func(last byte) string {
		js, _ := json.Marshal(f.data("eve@example.com", nil))
		block := append(js, bytes.Repeat([]byte{' '}, 16-len(js)%16)...)
		block[len(block)-1] = last
		return multipasstest.Encode(multipasstest.Seal(t, shopSecret, block))
	}
	cases := []struct {
		name, token string
		// silent: the token did not verify, and the message says no more.
		silent bool
		reason string
	}{
		{"tampered ciphertext", flip(good(), func(n int) int { return n - 33 }), true, ""},
		{"tampered IV", flip(good(), func(int) int { return 0 }), true, ""},
		{"tampered signature", flip(good(), func(n int) int { return n - 1 }), true, ""},
		{"wrong secret", multipasstest.Mint(t, "not the shop's secret at all", f.data("eve@example.com", nil)), true, ""},
		{"another shop's secret", multipasstest.Mint(t, other, f.data("eve@example.com", nil)), true, ""},
		{"truncated", multipasstest.Encode(multipasstest.Raw(t, good())[:60]), true, ""},
		{"signature alone", multipasstest.Encode(multipasstest.Raw(t, good())[:32]), true, ""},
		{"one block short", multipasstest.Encode(multipasstest.Sign(shopSecret, multipasstest.Raw(t, good())[:16])), true, ""},
		{"not base64", "not a token!", true, ""},
		{"standard base64 alphabet", strings.NewReplacer("-", "+", "_", "/").Replace(good() + strings.Repeat("-", 4)), true, ""},
		{"empty", "", true, ""},
		{"too long", strings.Repeat("A", multipass.MaxTokenLength+4), true, ""},
		{"padding byte zero", badPadding(0), true, ""},
		{"padding byte beyond a block", badPadding(17), true, ""},
		{"padding bytes differ", badPadding(3), true, ""},
		{"not JSON", multipasstest.Encode(multipasstest.Seal(t, shopSecret, multipasstest.PKCS7([]byte("email=eve@example.com")))), false, "not a JSON object"},
		{"expired created_at", multipasstest.Mint(t, shopSecret, map[string]any{"email": "eve@example.com", "created_at": now.Add(-16 * time.Minute).Format(time.RFC3339)}), false, "expired"},
		{"future created_at", multipasstest.Mint(t, shopSecret, map[string]any{"email": "eve@example.com", "created_at": now.Add(2 * time.Minute).Format(time.RFC3339)}), false, "future"},
		{"no created_at", multipasstest.Mint(t, shopSecret, map[string]any{"email": "eve@example.com"}), false, "created_at is missing"},
		{"created_at not a time", multipasstest.Mint(t, shopSecret, map[string]any{"email": "eve@example.com", "created_at": "yesterday"}), false, "ISO 8601"},
		{"missing email", multipasstest.Mint(t, shopSecret, map[string]any{"created_at": now.Format(time.RFC3339)}), false, "email is missing"},
		{"blank email", multipasstest.Mint(t, shopSecret, f.data("  ", nil)), false, "email is missing"},
		{"invalid email", multipasstest.Mint(t, shopSecret, f.data("eve@localhost", nil)), false, "email is invalid"},
		{"look-alike Cyrillic local part", multipasstest.Mint(t, shopSecret, f.data("аda@example.com", nil)), false, "email is invalid"},
		{"look-alike full-width local part", multipasstest.Mint(t, shopSecret, f.data("ａda@example.com", nil)), false, "email is invalid"},
		{"NUL in email", multipasstest.Mint(t, shopSecret, f.data("eve\x00@example.com", nil)), false, "email is invalid"},
		{"name with a link", multipasstest.Mint(t, shopSecret, f.data("eve@example.com", map[string]any{"first_name": "www.evil.example"})), false, "URL"},
		{"name across lines", multipasstest.Mint(t, shopSecret, f.data("eve@example.com", map[string]any{"last_name": "Eve\r\nBcc: x"})), false, "one line"},
		{"identifier an object", multipasstest.Mint(t, shopSecret, f.data("eve@example.com", map[string]any{"identifier": map[string]any{}})), false, "JSON"},
		{"too many addresses", multipasstest.Mint(t, shopSecret, f.data("eve@example.com", map[string]any{"addresses": make([]map[string]any, 11)})), false, "at most 10"},
		{"unknown country", multipasstest.Mint(t, shopSecret, f.data("eve@example.com", map[string]any{"addresses": []map[string]any{{"country": "Atlantis"}}})), false, "addresses.0.country"},
		{"another client's IP", multipasstest.Mint(t, shopSecret, f.data("eve@example.com", map[string]any{"remote_ip": "198.51.100.1"})), false, "remote_ip"},
		{"remote_ip not an address", multipasstest.Mint(t, shopSecret, f.data("eve@example.com", map[string]any{"remote_ip": "somewhere"})), false, "remote_ip"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.failures()
			_, err := f.signIn(c.token)
			msg := refused(t, err)
			switch {
			case c.silent && msg != multipass.InvalidMessage:
				t.Errorf("message %q tells more than %q about a token that did not verify", msg, multipass.InvalidMessage)
			case !c.silent && !strings.Contains(msg, c.reason):
				t.Errorf("message %q does not say %q", msg, c.reason)
			}
			if _, found := f.customer("eve@example.com"); found {
				t.Fatal("a refused token created a customer")
			}
			if f.failures() != before+1 {
				t.Errorf("the failure was not audited as multipass_failed")
			}
		})
	}
}

func TestAShopWithoutASecretRefusesEveryToken(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	f.shop = f.newShop("plain.example", "")
	msg := refused(t, func() error {
		_, err := f.signIn(multipasstest.Mint(t, "", f.data("eve@example.com", nil)))
		return err
	}())
	if msg != multipass.InvalidMessage {
		t.Fatalf("message %q", msg)
	}
	_, err := f.signIn(multipasstest.Mint(t, shopSecret, f.data("eve@example.com", nil)))
	refused(t, err)
}

func TestATokenIsSingleUseHoweverItIsWritten(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	token := multipasstest.Mint(t, shopSecret, f.data("ada@example.com", nil))
	first := f.mustSignIn(token)
	for _, again := range []string{token, strings.TrimRight(token, "="), base64.RawURLEncoding.EncodeToString(multipasstest.Raw(t, token))} {
		_, err := f.signIn(again)
		if msg := refused(t, err); !strings.Contains(msg, "used already") {
			t.Fatalf("replay: message %q", msg)
		}
	}
	f.mu.Lock()
	f.now = f.now.Add(multipass.MaxAge + time.Second)
	f.mu.Unlock()
	_, err := f.signIn(token)
	if msg := refused(t, err); !strings.Contains(msg, "expired") {
		t.Fatalf("replay after expiry: message %q", msg)
	}
	if c, _ := f.customer("ada@example.com"); c.ID != first.ID {
		t.Fatal("the customer changed")
	}
}

// TestATokenIsRefusedFromTheInstantItsSpentRecordMayGo: the spent
// record lasts until created_at+MaxAge, so the token is accepted only
// before then, never at an instant the record may be deleted.
func TestATokenIsRefusedFromTheInstantItsSpentRecordMayGo(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	token := multipasstest.Mint(t, shopSecret, f.data("ada@example.com", nil))
	f.mustSignIn(token)
	createdAt := f.clock()
	for _, age := range []time.Duration{multipass.MaxAge - time.Nanosecond, multipass.MaxAge} {
		f.mu.Lock()
		f.now = createdAt.Add(age)
		f.mu.Unlock()
		if _, err := f.signIn(token); err == nil {
			t.Fatalf("the token signed in again %v after its created_at", age)
		}
	}
	fresh := multipasstest.Mint(t, shopSecret, f.data("grace@example.com", nil))
	f.mu.Lock()
	f.now = f.now.Add(multipass.MaxAge)
	f.mu.Unlock()
	_, err := f.signIn(fresh)
	if msg := refused(t, err); !strings.Contains(msg, "expired") {
		t.Fatalf("a token MaxAge old: message %q, want it expired", msg)
	}
}

// Nodes share the spent records but not their clocks: one whose clock
// runs behind another's still takes a token for fresh after the other has
// deleted its record as expired. The record is kept MaxSkew past the
// token's expiry, so a node up to that far behind still finds it.
func TestATokenStaysSpentForANodeWhoseClockRunsBehind(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	behind := func() time.Time { return f.clock().Add(-multipass.MaxSkew + time.Second) }
	slow := multipass.New(multipass.Deps{Store: f.store, Accounts: account.New(account.Deps{Store: f.store, Keys: f.keys, Now: behind}, account.Config{}),
		Keys: f.keys, Now: behind, Limiter: ratelimit.NewMemory(behind, 1000, nil)}, multipass.Config{})
	token := multipasstest.Mint(t, shopSecret, f.data("ada@example.com", nil))
	f.mustSignIn(token)
	f.mu.Lock()
	f.now = f.now.Add(multipass.MaxAge + time.Second)
	f.mu.Unlock()
	f.mustSignIn(multipasstest.Mint(t, shopSecret, f.data("grace@example.com", nil)))
	_, err := slow.SignIn(f.ctx, f.shop, token, f.caller)
	if msg := refused(t, err); !strings.Contains(msg, "used already") {
		t.Fatalf("a replay on a node %v behind: message %q", multipass.MaxSkew-time.Second, msg)
	}
}

func TestConcurrentUsesOfOneTokenSignInOnce(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	f.mustSignIn(multipasstest.Mint(t, shopSecret, f.data("ada@example.com", nil)))
	token := multipasstest.Mint(t, shopSecret, f.data("ada@example.com", nil))
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = f.signIn(token) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			refused(t, err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d concurrent uses signed in, want 1", ok, n)
	}
}

// lateStore is the real store, but a first sign-in's look-up of the
// customer misses one that a concurrent sign-in creates right after it.
type lateStore struct {
	*sqlite.Store
	once sync.Once
}

func (s *lateStore) CustomerByEmail(ctx context.Context, shopID int64, key string) (storekeep.Customer, error) {
	c, err := s.Store.CustomerByEmail(ctx, shopID, key)
	if errors.Is(err, storekeep.ErrNotFound) {
		s.once.Do(func() {
			_, err := s.Store.CreateCustomer(ctx, storekeep.Customer{ShopID: shopID, Email: key, EmailKey: key,
				FirstName: "Meanwhile", Tags: []string{}, State: storekeep.CustomerEnabled})
			if err != nil {
				panic(err)
			}
		})
	}
	return c, err
}

func TestASignInThatLosesTheRaceToCreateTheCustomerUpdatesIt(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	late := &lateStore{Store: f.store}
	f.svc = multipass.New(multipass.Deps{Store: late, Accounts: account.New(account.Deps{Store: late, Keys: f.keys, Now: f.clock}, account.Config{}),
		Keys: f.keys, Now: f.clock, Limiter: ratelimit.NewMemory(f.clock, 1000, nil)}, multipass.Config{})
	c := f.mustSignIn(multipasstest.Mint(t, shopSecret, f.data("new@example.com", map[string]any{"first_name": "Ada"})))
	if c.FirstName != "Ada" || c.EmailKey != "new@example.com" {
		t.Fatalf("customer = %+v, want the one created meanwhile, updated", c)
	}
}

func TestAnExistingCustomerIsUpdatedEnabledAndKeepsItsAddressBookTidy(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	invited, err := f.store.CreateCustomer(f.ctx, storekeep.Customer{ShopID: f.shop.ID, Email: "ada@example.com",
		EmailKey: "ada@example.com", FirstName: "A", Tags: []string{"old"}, State: storekeep.CustomerInvited})
	if err != nil {
		t.Fatal(err)
	}
	home := map[string]any{"address1": "1 Main St", "city": "Paris", "country_code": "FR", "zip": "75001"}
	work := map[string]any{"address1": "2 Rue X", "city": "Lyon", "country": "France", "zip": "69001", "default": true}
	c := f.mustSignIn(multipasstest.Mint(t, shopSecret, f.data("ADA@example.com", map[string]any{
		"first_name": "Ada", "tag_string": "vip", "addresses": []map[string]any{home}})))
	if c.ID != invited.ID || c.State != storekeep.CustomerEnabled || c.FirstName != "Ada" || strings.Join(c.Tags, ",") != "vip" {
		t.Fatalf("customer = %+v", c)
	}
	c = f.mustSignIn(multipasstest.Mint(t, shopSecret, f.data("ada@example.com", map[string]any{
		"addresses": []map[string]any{home, work, work}})))
	if c.FirstName != "Ada" || strings.Join(c.Tags, ",") != "vip" {
		t.Fatalf("fields the token leaves out changed: %+v", c)
	}
	list, _ := f.store.Addresses(f.ctx, f.shop.ID, c.ID)
	if len(list) != 2 || list[0].City != "Paris" || list[0].Default || list[1].City != "Lyon" || !list[1].Default {
		t.Fatalf("addresses = %+v", list)
	}
	home["default"] = true
	f.mustSignIn(multipasstest.Mint(t, shopSecret, f.data("ada@example.com", map[string]any{"addresses": []map[string]any{home}})))
	list, _ = f.store.Addresses(f.ctx, f.shop.ID, c.ID)
	if len(list) != 2 || !list[0].Default || list[1].Default {
		t.Fatalf("addresses after home became the default = %+v", list)
	}
}

func TestTheIdentifierFollowsTheCustomerAcrossEmailChanges(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	first := f.mustSignIn(multipasstest.Mint(t, shopSecret, f.data("ada@example.com", map[string]any{"identifier": "u-1"})))
	moved := f.mustSignIn(multipasstest.Mint(t, shopSecret, f.data("ada@new.example", map[string]any{"identifier": "u-1"})))
	if moved.ID != first.ID || moved.EmailKey != "ada@new.example" {
		t.Fatalf("customer after the email change = %+v, want id %d", moved, first.ID)
	}
	_, err := f.signIn(multipasstest.Mint(t, shopSecret, f.data("ada@new.example", map[string]any{"identifier": "u-2"})))
	if msg := refused(t, err); !strings.Contains(msg, "different Multipass identifier") {
		t.Fatalf("message %q", msg)
	}
	f.mustSignIn(multipasstest.Mint(t, shopSecret, f.data("bob@example.com", map[string]any{"identifier": "u-2"})))
	_, err = f.signIn(multipasstest.Mint(t, shopSecret, f.data("bob@example.com", map[string]any{"identifier": "u-1"})))
	refused(t, err)
	if c, _ := f.customer("ada@new.example"); f.identifier(c) != "u-1" {
		t.Fatalf("a refused token changed the customer's identifier to %q", f.identifier(c))
	}
}

func TestADisabledCustomerStaysOut(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	_, err := f.store.CreateCustomer(f.ctx, storekeep.Customer{ShopID: f.shop.ID, Email: "ada@example.com",
		EmailKey: "ada@example.com", State: storekeep.CustomerDisabled, Tags: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.signIn(multipasstest.Mint(t, shopSecret, f.data("ada@example.com", nil)))
	if msg := refused(t, err); !strings.Contains(msg, "disabled") {
		t.Fatalf("message %q", msg)
	}
	if c, _ := f.customer("ada@example.com"); c.State != storekeep.CustomerDisabled {
		t.Fatalf("state = %s", c.State)
	}
}

func TestALookAlikeDomainIsAnotherCustomer(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	ada := f.mustSignIn(multipasstest.Mint(t, shopSecret, f.data("ada@example.com", nil)))
	other := f.mustSignIn(multipasstest.Mint(t, shopSecret, f.data("ada@exаmple.com", nil)))
	if other.ID == ada.ID || !strings.HasPrefix(other.EmailKey, "ada@xn--") {
		t.Fatalf("the look-alike domain signed in as %+v (ada is %d)", other, ada.ID)
	}
}

func TestRemoteIPBindsTheTokenToOneClient(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	f.caller.IP = "::ffff:203.0.113.7"
	f.mustSignIn(multipasstest.Mint(t, shopSecret, f.data("ada@example.com", map[string]any{"remote_ip": "203.0.113.7"})))
	f.caller.IP = "2001:db8::1"
	f.mustSignIn(multipasstest.Mint(t, shopSecret, f.data("ada@example.com", map[string]any{"remote_ip": "2001:DB8:0::1"})))
}

func TestSignInsAreThrottledPerClientIP(t *testing.T) {
	f := newFixture(t, multipass.Config{PerIP: storekeep.Limit{Count: 2, Per: time.Hour}})
	for range 2 {
		_, err := f.signIn("forged")
		refused(t, err)
	}
	_, err := f.signIn(multipasstest.Mint(t, shopSecret, f.data("ada@example.com", nil)))
	if storekeep.ErrorCode(err) != storekeep.CodeThrottled || !strings.HasSuffix(err.Error(), account.ThrottledLoginMessage) {
		t.Fatalf("third sign-in from one IP: %v, want THROTTLED as a password sign-in is", err)
	}
	f.caller.IP = "203.0.113.8"
	f.mustSignIn(multipasstest.Mint(t, shopSecret, f.data("ada@example.com", nil)))
}

func TestSignInIssuesTheAccountsSession(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	accounts := account.New(account.Deps{Store: f.store, Keys: f.keys, Now: f.clock}, account.Config{AccessTokenTTL: 2 * time.Hour})
	f.svc = multipass.New(multipass.Deps{Store: f.store, Accounts: accounts, Keys: f.keys, Now: f.clock,
		Limiter: ratelimit.NewMemory(f.clock, 1000, nil)}, multipass.Config{})
	issued, err := f.signIn(multipasstest.Mint(t, shopSecret, f.data("ada@example.com", nil)))
	if err != nil || !issued.ExpiresAt.Equal(f.clock().Add(2*time.Hour)) {
		t.Fatalf("sign-in: expires %v, %v; want the account's lifetime, %v", issued.ExpiresAt, err, f.clock().Add(2*time.Hour))
	}
	if _, found, err := accounts.CustomerByToken(f.ctx, f.shop, issued.Token); !found || err != nil {
		t.Fatalf("the issued token opens no customer: %v, %v", found, err)
	}
}

func TestConfigValidateRefusesAnEmptyAllowance(t *testing.T) {
	if err := multipass.DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, l := range []storekeep.Limit{{}, {Count: 1}, {Count: -1, Per: time.Minute}} {
		if err := (multipass.Config{PerIP: l}).Validate(); err == nil || !strings.Contains(err.Error(), "Multipass sign-ins per IP") {
			t.Errorf("%+v: %v", l, err)
		}
	}
}

// disablingStore is the real store, but before a sign-in's first update
// of the customer an operator disables them.
type disablingStore struct {
	*sqlite.Store
	once sync.Once
}

func (s *disablingStore) UpdateCustomer(ctx context.Context, u storekeep.CustomerUpdate) (storekeep.Customer, error) {
	s.once.Do(func() {
		read, err := s.Store.CustomerByID(ctx, u.Customer.ShopID, u.Customer.ID)
		if err != nil {
			panic(err)
		}
		c := read
		c.State, c.UpdatedAt = storekeep.CustomerDisabled, read.UpdatedAt.Add(time.Second)
		if _, err := s.Store.UpdateCustomer(ctx, storekeep.CustomerUpdate{Customer: c, Read: read}); err != nil {
			panic(err)
		}
	})
	return s.Store.UpdateCustomer(ctx, u)
}

// A sign-in that read the customer before an operator disabled them does
// not enable them again: it reads them again and is refused.
func TestASignInNeverEnablesACustomerDisabledWhileItRuns(t *testing.T) {
	f := newFixture(t, multipass.Config{})
	ada, err := f.store.CreateCustomer(f.ctx, storekeep.Customer{ShopID: f.shop.ID, Email: "ada@example.com",
		EmailKey: "ada@example.com", FirstName: "A", Tags: []string{}, State: storekeep.CustomerEnabled})
	if err != nil {
		t.Fatal(err)
	}
	disabling := &disablingStore{Store: f.store}
	f.svc = multipass.New(multipass.Deps{Store: disabling, Accounts: account.New(account.Deps{Store: disabling, Keys: f.keys, Now: f.clock}, account.Config{}),
		Keys: f.keys, Now: f.clock, Limiter: ratelimit.NewMemory(f.clock, 1000, nil)}, multipass.Config{})
	_, err = f.signIn(multipasstest.Mint(t, shopSecret, f.data("ada@example.com", map[string]any{"first_name": "Ada"})))
	if err == nil {
		t.Error("a sign-in of a customer disabled while it ran succeeded")
	}
	got, err := f.store.CustomerByID(f.ctx, f.shop.ID, ada.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != storekeep.CustomerDisabled || got.FirstName != "A" {
		t.Errorf("customer after the sign-in: %q %q, want disabled and unchanged", got.State, got.FirstName)
	}
}
