package account_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/password"
)

func TestSignUpThenSignInGivesATokenThatNamesTheCustomer(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, account.Config{})
	c := f.signUp("Ada@Example.com", "a long passphrase")
	tok := f.login("ada@example.com", "a long passphrase")
	got, found, err := f.svc.CustomerByToken(f.ctx, f.shop, tok.Token)
	if err != nil || !found || got.ID != c.ID {
		t.Fatalf("CustomerByToken = %+v, %v, %v; want customer %d", got, found, err, c.ID)
	}
	if !tok.ExpiresAt.Equal(f.now.Add(account.DefaultConfig().AccessTokenTTL)) {
		t.Errorf("token expires at %s, want the default lifetime from now", tok.ExpiresAt)
	}
}

func TestWrongPasswordAndUnknownAddressGetOneAnswer(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, account.Config{})
	f.signUp("ada@example.com", "a long passphrase")
	for _, tc := range []struct{ email, pw string }{
		{"ada@example.com", "not the passphrase"},
		{"nobody@example.com", "a long passphrase"},
	} {
		if _, err := f.svc.Login(f.ctx, f.shop, tc.email, tc.pw, caller); code(err) != storekeep.CodeUnidentifiedCustomer {
			t.Errorf("Login(%q) = %v, want UNIDENTIFIED_CUSTOMER", tc.email, err)
		}
	}
}

func TestFailedSignInsPerAddressAreThrottledAndTheRightPasswordWaits(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, account.Config{
		FailedLoginsPerEmail: storekeep.Limit{Count: 2, Per: time.Hour}})
	f.signUp("ada@example.com", "a long passphrase")
	for range 2 {
		if _, err := f.svc.Login(f.ctx, f.shop, "ada@example.com", "wrong", caller); code(err) != storekeep.CodeUnidentifiedCustomer {
			t.Fatalf("wrong password = %v", err)
		}
	}
	if _, err := f.svc.Login(f.ctx, f.shop, "ada@example.com", "a long passphrase", caller); code(err) != storekeep.CodeThrottled {
		t.Fatalf("sign-in after the allowance = %v, want THROTTLED", err)
	}
	f.now = f.now.Add(time.Hour)
	f.login("ada@example.com", "a long passphrase")
}

func TestSignInRehashesAPasswordHashedWithOtherParameters(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, account.Config{})
	older := newPasswords(t, password.Params{Memory: password.MinMemory, Time: 2, Threads: 1})
	hash, err := older.Hash(f.ctx, "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.store.CreateCustomer(f.ctx, storekeep.Customer{ShopID: f.shop.ID, Email: "ada@example.com",
		EmailKey: "ada@example.com", State: storekeep.CustomerEnabled, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	current := newPasswords(t, cheap)
	if !current.NeedsRehash(hash) {
		t.Fatal("the older hash does not need a rehash; the test proves nothing")
	}
	if _, err := f.svc.Login(f.ctx, f.shop, "ada@example.com", "wrong passphrase", caller); err == nil {
		t.Fatal("a wrong password signed in")
	}
	if got, _ := f.store.CustomerByID(f.ctx, f.shop.ID, c.ID); got.PasswordHash != hash {
		t.Fatal("a failed sign-in replaced the hash")
	}
	f.login("ada@example.com", "a long passphrase")
	got, err := f.store.CustomerByID(f.ctx, f.shop.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.PasswordHash == hash || current.NeedsRehash(got.PasswordHash) {
		t.Fatalf("hash after sign-in %q, want one made with the current parameters", got.PasswordHash)
	}
	if ok, err := current.Verify(f.ctx, "a long passphrase", got.PasswordHash); err != nil || !ok {
		t.Fatalf("the new hash does not verify the password: %v", err)
	}
	f.login("ada@example.com", "a long passphrase")
	if again, _ := f.store.CustomerByID(f.ctx, f.shop.ID, c.ID); again.PasswordHash != got.PasswordHash {
		t.Error("a current hash was replaced again")
	}
}

func TestRenewAndDeleteAccessTokens(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, account.Config{AccessTokenTTL: time.Hour})
	f.signUp("ada@example.com", "a long passphrase")
	tok := f.login("ada@example.com", "a long passphrase")
	f.now = f.now.Add(30 * time.Minute)
	renewed, err := f.svc.Renew(f.ctx, f.shop, tok.Token)
	if err != nil || !renewed.ExpiresAt.Equal(f.now.Add(time.Hour)) {
		t.Fatalf("Renew = %+v, %v; want a full hour from now", renewed, err)
	}
	if _, err := f.svc.Delete(f.ctx, f.shop, tok.Token); err != nil {
		t.Fatal(err)
	}
	if _, found, err := f.svc.CustomerByToken(f.ctx, f.shop, tok.Token); err != nil || found {
		t.Errorf("a deleted token still names its customer (%v)", err)
	}
	if _, err := f.svc.Renew(f.ctx, f.shop, tok.Token); code(err) != storekeep.CodeInvalid {
		t.Errorf("Renew of a deleted token = %v, want INVALID", err)
	}
}

func TestSignUpWithATakenAddress(t *testing.T) {
	for _, tc := range []struct {
		mode     storekeep.Enumeration
		wantCode storekeep.Code
		notices  int
	}{
		{storekeep.EnumerationShopify, storekeep.CodeTaken, 0},
		{storekeep.EnumerationPrivate, "", 1},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			f := newFixture(t, tc.mode, account.Config{})
			owner := f.signUp("ada@example.com", "a long passphrase")
			got, err := f.svc.Create(f.ctx, f.shop, account.CreateInput{Email: "ADA@example.com", Password: "another passphrase"}, caller)
			if code(err) != tc.wantCode {
				t.Fatalf("second sign-up = %v, want code %q", err, tc.wantCode)
			}
			if err == nil && (got.ID == owner.ID || got.ID == 0) {
				t.Errorf("the look-alike answer has id %d, want a fresh one", got.ID)
			}
			jobs, err := f.store.Claim(f.ctx, f.now, time.Minute, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(jobs.Mail) != 0 {
				t.Fatalf("%d mails queued with the answer, want none before the worker runs", len(jobs.Mail))
			}
			for _, j := range jobs.Jobs {
				if j.Kind != storekeep.JobAccountExists {
					continue
				}
				if _, err := f.svc.ProcessAccountExists(f.ctx, j); err != nil {
					t.Fatal(err)
				}
			}
			claimed, err := f.store.Claim(f.ctx, f.now, time.Minute, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(claimed.Mail) != tc.notices {
				t.Fatalf("%d mails queued, want %d", len(claimed.Mail), tc.notices)
			}
			if tc.notices == 1 && (claimed.Mail[0].To != owner.Email || claimed.Mail[0].Template != storekeep.TemplateAccountExists) {
				t.Errorf("queued %+v, want the account_exists notice to the owner", claimed.Mail[0])
			}
			if tok := f.login("ada@example.com", "a long passphrase"); tok.Token == "" {
				t.Error("the owner's password no longer works")
			}
		})
	}
}

func TestAccessTokensExpire(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationShopify, account.Config{})
	f.signUp("ny@example.com", "first-secret-1")
	tok := f.login("ny@example.com", "first-secret-1")
	f.now = f.now.Add(30*24*time.Hour + time.Second)
	if who, found, err := f.svc.CustomerByToken(f.ctx, f.shop, tok.Token); err != nil || found {
		t.Fatalf("expired token still works: %+v, %v", who, err)
	}
}

// racedSignUp is the store of a sign-up that loses the race for its
// address: the first look-up of an address finds nothing, and another
// sign-up for it commits right after, before this one's insert.
type racedSignUp struct {
	account.Store
	rival storekeep.Customer
	raced bool
}

func (r *racedSignUp) CustomerByEmail(ctx context.Context, shopID int64, key string) (storekeep.Customer, error) {
	c, err := r.Store.CustomerByEmail(ctx, shopID, key)
	if r.raced || !errors.Is(err, storekeep.ErrNotFound) {
		return c, err
	}
	r.raced = true
	rival := r.rival
	rival.ShopID, rival.EmailKey = shopID, key
	if r.rival, err = r.Store.CreateCustomer(ctx, rival); err != nil {
		return storekeep.Customer{}, err
	}
	return storekeep.Customer{}, storekeep.ErrNotFound
}

func TestASignUpThatLosesTheRaceForItsAddressIsAnsweredAsATakenOne(t *testing.T) {
	for _, tc := range []struct {
		mode     storekeep.Enumeration
		wantCode storekeep.Code
	}{
		{storekeep.EnumerationShopify, storekeep.CodeTaken},
		{storekeep.EnumerationPrivate, ""},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			race := &racedSignUp{rival: storekeep.Customer{Email: "ada@example.com", State: storekeep.CustomerEnabled,
				PasswordHash: "unused", CreatedAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}}
			f := newFixtureOver(t, tc.mode, account.Config{}, func(s account.Store) account.Store {
				race.Store = s
				return race
			})
			got, err := f.svc.Create(f.ctx, f.shop, account.CreateInput{Email: "ada@example.com", Password: "a long passphrase"}, caller)
			if !race.raced {
				t.Fatal("the rival sign-up never ran")
			}
			if code(err) != tc.wantCode || err != nil && tc.wantCode == "" {
				t.Fatalf("sign-up = %v, want code %q", err, tc.wantCode)
			}
			if err == nil && (got.ID == race.rival.ID || got.ID == 0) {
				t.Errorf("the answer has id %d, want one of its own (the rival's is %d)", got.ID, race.rival.ID)
			}
			stored, err := f.store.CustomerByEmail(f.ctx, f.shop.ID, "ada@example.com")
			if err != nil || stored.ID != race.rival.ID || stored.PasswordHash != "unused" {
				t.Errorf("stored %+v, %v; want the rival's account untouched", stored, err)
			}
		})
	}
}
