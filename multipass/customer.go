package multipass

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/storekeep/storekeep"
)

// save creates the customer l names, or updates them, and enables them:
// a Multipass customer needs no password, and its address is verified on
// the shop's word. The customer is the one with
// l's identifier, else the one with l's email, unless that one has
// another identifier. When a concurrent sign-in creates the customer
// first, or another write changes it between this one's read and its
// write, this one reads it again and updates it.
func (s *Service) save(ctx context.Context, shop storekeep.Shop, l Login, now time.Time) (storekeep.Customer, bool, error) {
	var c storekeep.Customer
	var created bool
	err := storekeep.RetryStale(ctx, func() (err error) {
		c, created, err = s.saveOnce(ctx, shop, l, now)
		return err
	})
	switch {
	case errors.Is(err, storekeep.ErrConflict) || errors.Is(err, errCreatedMeanwhile):
		err = errOtherIdentifier
	case errors.Is(err, storekeep.ErrStale):
		err = storekeep.Contended()
	}
	return c, created, err
}

var (
	errOtherIdentifier = problem("the email address is already used by another customer (with a different Multipass identifier)")
	// errCreatedMeanwhile is a stale read: the customer save found
	// missing was created before save could.
	errCreatedMeanwhile = fmt.Errorf("multipass: the customer was created meanwhile: %w", storekeep.ErrStale)
)

func (s *Service) saveOnce(ctx context.Context, shop storekeep.Shop, l Login, now time.Time) (c storekeep.Customer, created bool, err error) {
	c, found, err := s.find(ctx, shop, l)
	if err != nil {
		return c, false, err
	}
	if found && c.State == storekeep.CustomerDisabled {
		return c, false, problem("the customer's account is disabled")
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
	if found {
		c, err = s.Store.UpdateCustomer(ctx, storekeep.CustomerUpdate{Customer: c, Read: read, VerifyEmail: true})
	} else {
		c.ShopID, c.CreatedAt, c.EmailVerifiedAt = shop.ID, now, now
		if c.Tags == nil {
			c.Tags = []string{}
		}
		if c, err = s.Store.CreateCustomer(ctx, c); errors.Is(err, storekeep.ErrConflict) {
			return c, false, errCreatedMeanwhile
		}
	}
	if err == nil && l.Identifier != "" {
		err = s.Store.SetMultipassIdentifier(ctx, shop.ID, c.ID, l.Identifier)
	}
	return c, !found, err
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
