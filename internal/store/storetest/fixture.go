package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/secret"
)

// NewKeyring returns a keyring holding one fresh random key, for a store
// under test to seal with.
func NewKeyring(t testing.TB) *secret.Keyring {
	t.Helper()
	key, err := secret.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	k, err := secret.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// t0 is the suite's "now". Times are whole microseconds, the finest that
// every backend keeps.
var t0 = time.Date(2030, 4, 5, 6, 7, 8, 9000, time.UTC)

// fixture is one rule's store with the helpers that fill it.
type fixture struct {
	*testing.T
	s    storekeep.Store
	ctx  context.Context
	keys *secret.Keyring
}

func newFixture(t *testing.T, s storekeep.Store) fixture {
	return fixture{T: t, s: s, ctx: t.Context(), keys: keyring(t, 1)}
}

func keyring(t *testing.T, seeds ...byte) *secret.Keyring {
	t.Helper()
	var keys [][]byte
	for _, seed := range seeds {
		keys = append(keys, bytes.Repeat([]byte{seed}, secret.KeySize))
	}
	k, err := secret.New(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (f fixture) must(err error) {
	f.Helper()
	if err != nil {
		f.Fatal(err)
	}
}

// is fails unless err is want.
func (f fixture) is(err, want error, what string) {
	f.Helper()
	if !errors.Is(err, want) {
		f.Fatalf("%s: err = %v, want %v", what, err, want)
	}
}

func (f fixture) token() string {
	f.Helper()
	tok, err := f.keys.NewToken()
	f.must(err)
	return tok
}

func (f fixture) shop(domain string) storekeep.Shop {
	f.Helper()
	s, err := f.s.CreateShop(f.ctx, storekeep.Shop{
		Domain: domain, Name: "Shop " + domain, StorefrontURL: "https://" + domain,
		Enumeration: storekeep.EnumerationPrivate, MailFrom: "Shop <shop@" + domain + ">", ReplyTo: "care@" + domain,
		Locale: "en", CreatedAt: t0,
	}, storekeep.ShopSecrets{})
	f.must(err)
	return s
}

// customer creates an invited customer of shop.
func (f fixture) customer(shop storekeep.Shop, email string) storekeep.Customer {
	f.Helper()
	c, err := f.s.CreateCustomer(f.ctx, storekeep.Customer{
		ShopID: shop.ID, Email: email, EmailKey: storekeep.NormalizeEmail(email),
		FirstName: "Ada", LastName: "Lovelace", Tags: []string{"vip"},
		State: storekeep.CustomerInvited, CreatedAt: t0, UpdatedAt: t0,
	})
	f.must(err)
	return c
}

// updateCustomer runs UpdateCustomer with u.Read the customer as stored
// now, as a caller that read it just before would.
func (f fixture) updateCustomer(u storekeep.CustomerUpdate) (storekeep.Customer, error) {
	f.Helper()
	read, err := f.s.CustomerByID(f.ctx, u.Customer.ShopID, u.Customer.ID)
	if err != nil && !errors.Is(err, storekeep.ErrNotFound) {
		f.Fatal(err)
	}
	u.Read = read
	return f.s.UpdateCustomer(f.ctx, u)
}

// verifiedCustomer creates an enabled customer of shop that has proved
// it owns its address.
func (f fixture) verifiedCustomer(shop storekeep.Shop, email string) storekeep.Customer {
	f.Helper()
	c, err := f.s.CreateCustomer(f.ctx, storekeep.Customer{
		ShopID: shop.ID, Email: email, EmailKey: storekeep.NormalizeEmail(email),
		FirstName: "Ada", LastName: "Lovelace", Tags: []string{"vip"},
		State: storekeep.CustomerEnabled, EmailVerifiedAt: t0, CreatedAt: t0, UpdatedAt: t0,
	})
	f.must(err)
	return c
}

// accessToken stores a token of c that expires at expires.
func (f fixture) accessToken(c storekeep.Customer, expires time.Time) storekeep.AccessToken {
	f.Helper()
	t, err := f.s.CreateAccessToken(f.ctx, storekeep.AccessToken{
		ShopID: c.ShopID, CustomerID: c.ID, Hash: f.keys.Hash(f.token()), ExpiresAt: expires, CreatedAt: t0,
	}, "")
	f.must(err)
	return t
}

// live reports whether the access token is found at now.
func (f fixture) live(t storekeep.AccessToken, now time.Time) bool {
	f.Helper()
	_, err := f.s.AccessTokenByHash(f.ctx, t.ShopID, [][]byte{t.Hash}, now)
	if errors.Is(err, storekeep.ErrNotFound) {
		return false
	}
	f.must(err)
	return true
}

// mail is a message to c whose data carries a link with a clear token.
func (f fixture) mail(c storekeep.Customer, template storekeep.Template, token string) storekeep.Mail {
	return storekeep.Mail{
		ShopID: c.ShopID, To: c.Email, Template: template, Locale: "en",
		Data: storekeep.MailData{
			URL:       fmt.Sprintf("https://shop.example/account/reset/%d/%s", c.ID, token),
			FirstName: c.DisplayName(),
		},
		MessageID: fmt.Sprintf("<%s@storekeep.test>", f.token()),
		CreatedAt: t0,
	}
}

func (f fixture) audit(c storekeep.Customer, kind storekeep.AuditKind, at time.Time) storekeep.AuditEvent {
	return storekeep.AuditEvent{
		ShopID: c.ShopID, CustomerID: c.ID, Kind: kind, IP: "192.0.2.7", UserAgent: "storetest", Detail: "d", At: at,
		Count: 1, LastAt: at,
	}
}

// issued is a one-time token as the suite issued it.
type issued struct {
	storekeep.CustomerToken
	clear string
	mail  storekeep.Mail
}

// issue issues c a token of purpose valid for 24 hours from t0, with its
// mail and audit event, and reads it back.
func (f fixture) issue(c storekeep.Customer, purpose storekeep.TokenPurpose) issued {
	f.Helper()
	return f.issueExpiring(c, purpose, t0.Add(24*time.Hour))
}

func (f fixture) issueExpiring(c storekeep.Customer, purpose storekeep.TokenPurpose, expires time.Time) issued {
	f.Helper()
	clear := f.token()
	tok := storekeep.CustomerToken{
		ShopID: c.ShopID, CustomerID: c.ID, Purpose: purpose, Hash: f.keys.Hash(clear), ExpiresAt: expires, CreatedAt: t0,
	}
	m := f.mail(c, storekeep.TemplateReset, clear)
	f.must(f.s.IssueCustomerToken(f.ctx, tok, m, f.audit(c, storekeep.AuditRecoverRequested, t0), 0))
	got, err := f.s.CustomerTokenByHash(f.ctx, c.ShopID, c.ID, purpose, [][]byte{tok.Hash})
	f.must(err)
	return issued{CustomerToken: got, clear: clear, mail: m}
}

// unused reports whether the one-time token is still found.
func (f fixture) unused(t issued) bool {
	f.Helper()
	_, err := f.s.CustomerTokenByHash(f.ctx, t.ShopID, t.CustomerID, t.Purpose, [][]byte{t.Hash})
	if errors.Is(err, storekeep.ErrNotFound) {
		return false
	}
	f.must(err)
	return true
}

// claimAll claims every mail due at now.
func (f fixture) claimAll(now time.Time) []storekeep.Mail {
	f.Helper()
	claimed, err := f.s.Claim(f.ctx, now, time.Minute, 1000)
	f.must(err)
	if len(claimed.Jobs) != 0 {
		f.Fatalf("claimed %d jobs, want mail only", len(claimed.Jobs))
	}
	return claimed.Mail
}

// job queues a recover job for c's address, created at t0.
func (f fixture) job(c storekeep.Customer) int64 {
	f.Helper()
	id, err := f.s.EnqueueJob(f.ctx, storekeep.Job{ShopID: c.ShopID, Kind: storekeep.JobRecover, CreatedAt: t0,
		Recover: storekeep.RecoverRequest{Email: c.Email, IP: "203.0.113.9", UserAgent: "probe/1"}})
	f.must(err)
	return id
}

// claimIDs claims and returns the IDs of the batch in its order.
func (f fixture) claimIDs(now time.Time, lease time.Duration, limit int) []int64 {
	f.Helper()
	claimed, err := f.s.Claim(f.ctx, now, lease, limit)
	f.must(err)
	var list []int64
	for _, m := range claimed.Mail {
		list = append(list, m.ID)
	}
	for _, j := range claimed.Jobs {
		list = append(list, j.ID)
	}
	return list
}

func (f fixture) pending() int {
	f.Helper()
	n, _, err := f.s.OutboxStats(f.ctx, 1_000_000)
	f.must(err)
	return n
}

func (f fixture) audits(shopID int64) []storekeep.AuditEvent {
	f.Helper()
	list, err := f.s.AuditEvents(f.ctx, shopID, 1000)
	f.must(err)
	return list
}

// raw returns the store's Raw hook, skipping the rule when it has none.
func (f fixture) raw() Raw {
	f.Helper()
	r, ok := f.s.(Raw)
	if !ok {
		f.Skipf("%T does not implement storetest.Raw", f.s)
	}
	return r
}

// reopen returns the rule's database opened again with sealer, as a
// fixture, skipping the rule when the store cannot be reopened.
func (f fixture) reopen(sealer storekeep.Sealer) fixture {
	f.Helper()
	r, ok := f.s.(Reopener)
	if !ok {
		f.Skipf("%T does not implement storetest.Reopener", f.s)
	}
	s, err := r.Reopen(f.ctx, sealer)
	f.must(err)
	f.Cleanup(func() {
		if err := s.Close(); err != nil {
			f.Errorf("Close of the reopened store: %v", err)
		}
	})
	f.s = s
	return f
}

// same fails when a field of got differs from want. Times are compared
// with Equal, and empty and nil lists and maps are the same.
func same[T any](f fixture, what string, got, want T) {
	f.Helper()
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	var diffs []string
	for i := range g.NumField() {
		if !equalValue(g.Field(i), w.Field(i)) {
			diffs = append(diffs, fmt.Sprintf("%s = %v, want %v", g.Type().Field(i).Name, g.Field(i), w.Field(i)))
		}
	}
	if len(diffs) > 0 {
		f.Errorf("%s: %s", what, strings.Join(diffs, "; "))
	}
}

func equalValue(g, w reflect.Value) bool {
	if t, ok := g.Interface().(time.Time); ok {
		return t.Equal(w.Interface().(time.Time))
	}
	if (g.Kind() == reflect.Slice || g.Kind() == reflect.Map) && g.Len() == 0 && w.Len() == 0 {
		return true
	}
	return reflect.DeepEqual(g.Interface(), w.Interface())
}

// markSent marks one mail sent: storekeep.ErrNotFound unless it was
// pending.
func (f fixture) markSent(id int64, at time.Time) error {
	n, err := f.s.MarkMailsSent(f.ctx, []int64{id}, at)
	if err == nil && n == 0 {
		err = storekeep.ErrNotFound
	}
	return err
}
