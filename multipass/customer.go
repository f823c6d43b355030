package multipass

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/storekeep/storekeep"
)

// saved is what save did for a token.
type saved struct {
	customer storekeep.Customer
	created  bool
	// session, when not nil, was stored with the update, every earlier
	// access token of the customer revoked (see saveOnce).
	session *storekeep.IssuedAccessToken
	// formerKey, when not empty, is the key of the address the update
	// moved the customer from and mailed a notice to.
	formerKey string
}

// save creates the customer l names, or updates them, and enables them:
// a Multipass customer needs no password, and its address is verified on
// the shop's word. The customer is the one with
// l's identifier, else the one with l's email, unless that one has
// another identifier. When a concurrent sign-in creates the customer
// first, or another write changes it between this one's read and its
// write, this one reads it again and updates it. A customer moved to
// another address has its former address told, as customerUpdate tells
// it, in locale.
func (s *Service) save(ctx context.Context, shop storekeep.Shop, l Login, locale string, now time.Time) (saved, error) {
	var out saved
	err := storekeep.RetryStale(ctx, func() (err error) {
		out, err = s.saveOnce(ctx, shop, l, locale, now)
		return err
	})
	if err == nil && out.formerKey != "" {
		s.Accounts.EmailChangeAnnounced(ctx, shop, out.formerKey)
	}
	switch {
	case errors.Is(err, storekeep.ErrConflict) || errors.Is(err, errCreatedMeanwhile):
		err = errOtherIdentifier
	case errors.Is(err, storekeep.ErrStale):
		err = storekeep.Contended()
	}
	return out, err
}

var (
	errOtherIdentifier = problem("the email address is already used by another customer (with a different Multipass identifier)")
	// errCreatedMeanwhile is a stale read: the customer save found
	// missing was created before save could.
	errCreatedMeanwhile = fmt.Errorf("multipass: the customer was created meanwhile: %w", storekeep.ErrStale)
)

// saveOnce is one attempt of save. A customer whose address had not been
// proven was opened, or moved to the address, by someone who need not own
// it: the shop now vouches for the owner, so that one's password is
// dropped and their sessions end, in the update, as a reset ends them.
func (s *Service) saveOnce(ctx context.Context, shop storekeep.Shop, l Login, locale string, now time.Time) (saved, error) {
	c, found, err := s.find(ctx, shop, l)
	if err != nil {
		return saved{}, err
	}
	if found && c.State == storekeep.CustomerDisabled {
		return saved{}, problem("the customer's account is disabled")
	}
	read := c
	c.Email, c.EmailKey = l.Email.String(), l.Email.Key()
	if l.FirstName != nil {
		c.FirstName = *l.FirstName
	}
	if l.LastName != nil {
		c.LastName = *l.LastName
	}
	if l.Tags != nil {
		c.Tags = l.Tags
	}
	c.State, c.UpdatedAt = storekeep.CustomerEnabled, now
	out := saved{created: !found}
	if found {
		u := storekeep.CustomerUpdate{Customer: c, Read: read, VerifyEmail: true}
		if read.EmailVerifiedAt.IsZero() {
			t, issued, err := s.Accounts.NewSession(shop.ID, c.ID)
			if err != nil {
				return saved{}, err
			}
			u.Customer.PasswordHash, u.AccessToken, out.session = "", &t, &issued
		}
		if c.EmailKey != read.EmailKey {
			notice, err := s.Accounts.EmailChangedNotice(ctx, shop, read, c.Email, locale, now)
			if err != nil {
				return saved{}, err
			}
			if notice != nil {
				u.Mails, out.formerKey = append(u.Mails, *notice), read.EmailKey
			}
		}
		c, err = s.Store.UpdateCustomer(ctx, u)
	} else {
		c.ShopID, c.CreatedAt, c.EmailVerifiedAt = shop.ID, now, now
		if c.Tags == nil {
			c.Tags = []string{}
		}
		if c, err = s.Store.CreateCustomer(ctx, c); errors.Is(err, storekeep.ErrConflict) {
			return saved{}, errCreatedMeanwhile
		}
	}
	if err == nil && l.Identifier != "" {
		err = s.Store.SetMultipassIdentifier(ctx, shop.ID, c.ID, l.Identifier)
	}
	out.customer = c
	return out, err
}

// find returns the customer l names, if any.
func (s *Service) find(ctx context.Context, shop storekeep.Shop, l Login) (storekeep.Customer, bool, error) {
	if l.Identifier != "" {
		c, err := s.Store.CustomerByMultipassIdentifier(ctx, shop.ID, l.Identifier)
		if !errors.Is(err, storekeep.ErrNotFound) {
			return c, err == nil, err
		}
	}
	c, err := s.Store.CustomerByEmail(ctx, shop.ID, l.Email.Key())
	if errors.Is(err, storekeep.ErrNotFound) {
		return storekeep.Customer{}, false, nil
	}
	if err != nil {
		return c, false, err
	}
	if l.Identifier != "" {
		held, err := s.Store.MultipassIdentifier(ctx, shop.ID, c.ID)
		if err != nil {
			return c, false, err
		}
		if held != "" && held != l.Identifier {
			return c, false, errOtherIdentifier
		}
	}
	return c, true, nil
}

// addAddresses adds to c's book the addresses it does not hold yet, and
// makes the one marked default their default. An address already held is
// not added twice, so that every sign-in may carry the same addresses,
// and sign-ins at once store each address once.
func (s *Service) addAddresses(ctx context.Context, c storekeep.Customer, list []Address, caller storekeep.Caller) error {
	if len(list) == 0 {
		return nil
	}
	held, err := s.Store.Addresses(ctx, c.ShopID, c.ID)
	if err != nil {
		return err
	}
	var want []Address
	fresh := 0
	for _, a := range list {
		if i := slices.IndexFunc(want, func(w Address) bool { return w.Stored.Same(a.Stored) }); i >= 0 {
			want[i].Default = want[i].Default || a.Default
			continue
		}
		want = append(want, a)
		if !slices.ContainsFunc(held, a.Stored.Same) {
			fresh++
		}
	}
	if len(held)+fresh > storekeep.MaxAddressesPerCustomer {
		return problem(fmt.Sprintf("a customer can have at most %d addresses", storekeep.MaxAddressesPerCustomer))
	}
	for _, a := range want {
		stored, created, err := s.Accounts.AddAddressOnce(ctx, c, a.Input, a.Default, caller)
		if err != nil {
			return asProblem(err)
		}
		if !created && a.Default && !stored.Default {
			ev := storekeep.AuditEvent{ShopID: c.ShopID, CustomerID: c.ID, Kind: storekeep.AuditDefaultAddressChanged,
				IP: caller.IP, UserAgent: caller.UserAgent, At: s.clock()}
			if err := s.Store.SetDefaultAddress(ctx, c.ShopID, c.ID, stored.ID, ev); err != nil {
				return err
			}
		}
	}
	return nil
}
