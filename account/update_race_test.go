package account_test

import (
	"context"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
)

// writeBetween is the real store, but before customerUpdate's first write
// it runs between, as a request that commits while the update is under
// way (between its read and its write) would.
type writeBetween struct {
	account.Store
	between func(ctx context.Context, s account.Store)
	ran     bool
}

func (w *writeBetween) UpdateCustomer(ctx context.Context, u storekeep.CustomerUpdate) (storekeep.Customer, error) {
	if !w.ran {
		w.ran = true
		w.between(ctx, w.Store)
	}
	return w.Store.UpdateCustomer(ctx, u)
}

// raceFixture is a fixture whose store runs w.between before the first
// UpdateCustomer, with ada signed up and signed in.
func raceFixture(t *testing.T) (*fixture, *writeBetween, storekeep.Customer, storekeep.IssuedAccessToken) {
	t.Helper()
	w := &writeBetween{}
	f := newFixtureOver(t, storekeep.EnumerationShopify, account.Config{}, func(s account.Store) account.Store { w.Store = s; return w })
	c := f.signUp("ada@example.com", "the old passphrase")
	return f, w, c, f.login("ada@example.com", "the old passphrase")
}

// rewrite stores change applied to the customer as stored now.
func rewrite(t *testing.T, ctx context.Context, s account.Store, shopID, id int64, change func(*storekeep.Customer) *storekeep.AccessToken) {
	t.Helper()
	read, err := s.CustomerByID(ctx, shopID, id)
	if err != nil {
		t.Fatal(err)
	}
	c := read
	c.UpdatedAt = read.UpdatedAt.Add(time.Second)
	token := change(&c)
	if _, err := s.UpdateCustomer(ctx, storekeep.CustomerUpdate{Customer: c, Read: read, AccessToken: token}); err != nil {
		t.Fatal(err)
	}
}

// changePassword gives c password in s, with a new session in place of
// its others, as the owner's password change does.
func changePassword(t *testing.T, ctx context.Context, f *fixture, s account.Store, c storekeep.Customer, password string) {
	t.Helper()
	hash, err := newPasswords(t, cheap).Hash(ctx, password)
	if err != nil {
		t.Fatal(err)
	}
	session, _, err := f.svc.NewSession(f.shop.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	rewrite(t, ctx, s, f.shop.ID, c.ID, func(c *storekeep.Customer) *storekeep.AccessToken {
		c.PasswordHash = hash
		return &session
	})
}

// A profile edit whose read predates a password change, a disable or
// another edit never writes back what it read: an edit made with a token
// the password change revoked fails, a disabled customer stays disabled,
// and an edit of other fields keeps both.
func TestCustomerUpdateNeverWritesBackWhatChangedSinceItsRead(t *testing.T) {
	first := "Mallory"
	t.Run("password changed, tokens revoked", func(t *testing.T) {
		f, w, c, stolen := raceFixture(t)
		w.between = func(ctx context.Context, s account.Store) {
			changePassword(t, ctx, f, s, c, "the owner's new passphrase")
		}
		_, _, err := f.svc.Update(f.ctx, f.shop, stolen.Token, account.UpdateInput{FirstName: &first}, caller)
		if code(err) != storekeep.CodeTokenInvalid {
			t.Errorf("an edit with a token revoked before its write: %v, want %s", err, storekeep.CodeTokenInvalid)
		}
		if _, err := f.svc.Login(f.ctx, f.shop, "ada@example.com", "the owner's new passphrase", caller); err != nil {
			t.Errorf("the new password no longer signs in: %v", err)
		}
		if _, err := f.svc.Login(f.ctx, f.shop, "ada@example.com", "the old passphrase", caller); err == nil {
			t.Error("the replaced password signs in again")
		}
	})
	t.Run("disabled", func(t *testing.T) {
		f, w, c, tok := raceFixture(t)
		w.between = func(ctx context.Context, s account.Store) {
			rewrite(t, ctx, s, f.shop.ID, c.ID, func(c *storekeep.Customer) *storekeep.AccessToken {
				c.State = storekeep.CustomerDisabled
				return nil
			})
		}
		f.svc.Update(f.ctx, f.shop, tok.Token, account.UpdateInput{FirstName: &first}, caller)
		got, err := f.store.CustomerByID(f.ctx, f.shop.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != storekeep.CustomerDisabled {
			t.Errorf("a customer disabled during an edit is %q afterwards", got.State)
		}
	})
	t.Run("another edit", func(t *testing.T) {
		f, w, c, tok := raceFixture(t)
		w.between = func(ctx context.Context, s account.Store) {
			rewrite(t, ctx, s, f.shop.ID, c.ID, func(c *storekeep.Customer) *storekeep.AccessToken {
				c.LastName = "King"
				return nil
			})
		}
		got, _, err := f.svc.Update(f.ctx, f.shop, tok.Token, account.UpdateInput{FirstName: &first}, caller)
		if err != nil {
			t.Fatal(err)
		}
		if got.FirstName != first || got.LastName != "King" {
			t.Errorf("after two edits of different fields: %q %q, want both", got.FirstName, got.LastName)
		}
	})
}

// An email change that starts over after a concurrent edit counts once
// against the customer's allowance and still tells the former address.
func TestAnEmailChangeThatStartsOverStillNotifiesOnce(t *testing.T) {
	f, w, c, tok := raceFixture(t)
	w.between = func(ctx context.Context, s account.Store) {
		rewrite(t, ctx, s, f.shop.ID, c.ID, func(c *storekeep.Customer) *storekeep.AccessToken {
			c.LastName = "King"
			return nil
		})
	}
	email := "countess@example.com"
	got, _, err := f.svc.Update(f.ctx, f.shop, tok.Token, account.UpdateInput{Email: &email}, caller)
	if err != nil || got.Email != email || got.LastName != "King" {
		t.Fatalf("Update after a concurrent edit: %+v %v", got, err)
	}
	queued, err := f.store.ListMail(f.ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var notices []string
	for _, m := range queued {
		if m.Template == storekeep.TemplateEmailChanged {
			notices = append(notices, m.To)
		}
	}
	if len(notices) != 1 || notices[0] != "ada@example.com" {
		t.Errorf("email-changed notices: %v, want one to the former address", notices)
	}
}
