package account

import (
	"context"
	"errors"
	"strconv"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/address"
)

// The access-token argument of the address mutations.
var accessTokenField = []string{"customerAccessToken"}

func tokenInvalid() error {
	return storekeep.NewError(storekeep.CodeTokenInvalid, accessTokenField, "Customer access token is invalid")
}

func addressNotFound(field []string) error {
	return storekeep.NewError(storekeep.CodeNotFound, field, "Customer address does not exist")
}

// ThrottledAddressMessage is the message of a throttled address change.
const ThrottledAddressMessage = "Too many address changes. Please try again later."

// throttleAddresses counts one address change of c against its allowance.
func (s *Service) throttleAddresses(ctx context.Context, c storekeep.Customer) error {
	ok, err := s.Limiter.Allow(ctx, "address:customer:"+strconv.FormatInt(c.ID, 10), s.cfg.AddressChangesPerCustomer)
	if err != nil || ok {
		return err
	}
	return storekeep.Throttled(ThrottledAddressMessage)
}

func tooManyAddresses() error {
	return storekeep.NewError(storekeep.CodeInvalid, []string{"address"},
		"A customer can have at most 100 addresses")
}

// Addresses handles Customer.addresses: the page p asks for of c's
// addresses, oldest first (newest first with p.Reverse).
func (s *Service) Addresses(ctx context.Context, c storekeep.Customer, p storekeep.Page) (storekeep.Window[storekeep.MailingAddress], error) {
	if _, err := storekeep.Paginate([]storekeep.MailingAddress(nil), addressID, p); err != nil {
		return storekeep.Window[storekeep.MailingAddress]{}, err
	}
	list, err := s.Store.Addresses(ctx, c.ShopID, c.ID)
	if err != nil {
		return storekeep.Window[storekeep.MailingAddress]{}, err
	}
	return storekeep.Paginate(list, addressID, p)
}

func addressID(a storekeep.MailingAddress) int64 { return a.ID }

// DefaultAddress handles Customer.defaultAddress; found is false when c
// has no address.
func (s *Service) DefaultAddress(ctx context.Context, c storekeep.Customer) (a storekeep.MailingAddress, found bool, err error) {
	list, err := s.Store.Addresses(ctx, c.ShopID, c.ID)
	for _, a := range list {
		if a.Default {
			return a, true, nil
		}
	}
	return storekeep.MailingAddress{}, false, err
}

// CreateAddress handles customerAddressCreate.
func (s *Service) CreateAddress(ctx context.Context, shop storekeep.Shop, accessToken string, in address.Input, caller storekeep.Caller) (storekeep.MailingAddress, error) {
	c, err := s.tokenCustomer(ctx, shop, accessToken)
	if err == nil {
		err = s.throttleAddresses(ctx, c)
	}
	if err != nil {
		return storekeep.MailingAddress{}, err
	}
	return s.AddAddress(ctx, c, in, false, caller)
}

// AddAddress adds an address to c's address book, as customerAddressCreate
// does, for callers that have identified the customer otherwise (sign-in
// by Multipass, an import). asDefault makes it the default address; the
// first address is the default anyway.
func (s *Service) AddAddress(ctx context.Context, c storekeep.Customer, in address.Input, asDefault bool, caller storekeep.Caller) (storekeep.MailingAddress, error) {
	a, _, err := s.addAddress(ctx, c, in, asDefault, caller,
		func(ctx context.Context, a storekeep.MailingAddress, max int, e storekeep.AuditEvent) (storekeep.MailingAddress, bool, error) {
			stored, err := s.Store.CreateAddress(ctx, a, max, e)
			return stored, err == nil, err
		})
	return a, err
}

// AddAddressOnce is AddAddress unless the customer holds an address that
// reads as in already (storekeep.MailingAddress.Same): that one is
// returned, unchanged, with created false. Concurrent calls with one
// address store it once.
func (s *Service) AddAddressOnce(ctx context.Context, c storekeep.Customer, in address.Input, asDefault bool, caller storekeep.Caller) (_ storekeep.MailingAddress, created bool, _ error) {
	return s.addAddress(ctx, c, in, asDefault, caller, s.Store.CreateAddressOnce)
}

// addAddress builds the address in describes and stores it with create.
func (s *Service) addAddress(ctx context.Context, c storekeep.Customer, in address.Input, asDefault bool, caller storekeep.Caller,
	create func(context.Context, storekeep.MailingAddress, int, storekeep.AuditEvent) (storekeep.MailingAddress, bool, error),
) (storekeep.MailingAddress, bool, error) {
	now := s.clock()
	a := storekeep.MailingAddress{ShopID: c.ShopID, CustomerID: c.ID, Default: asDefault, CreatedAt: now, UpdatedAt: now}
	if err := address.Apply(&a, in, []string{"address"}); err != nil {
		return storekeep.MailingAddress{}, false, err
	}
	stored, created, err := create(ctx, a, storekeep.MaxAddressesPerCustomer, s.addressAudit(c, storekeep.AuditAddressCreated, caller))
	switch {
	case errors.Is(err, storekeep.ErrLimit):
		return storekeep.MailingAddress{}, false, tooManyAddresses()
	case errors.Is(err, storekeep.ErrNotFound):
		return storekeep.MailingAddress{}, false, tokenInvalid()
	}
	return stored, created, err
}

// UpdateAddress handles customerAddressUpdate: the fields in gives
// replace the address's; the others stay. The fields are applied to the
// address as stored when it is written: where another change wrote it
// since it was read, it is read again and the update starts over
// (storekeep.RetryStale), so that no change answered as made is written
// over with what was read before it; storekeep.Contended when every start
// met another write.
func (s *Service) UpdateAddress(ctx context.Context, shop storekeep.Shop, accessToken, id string, in address.Input, caller storekeep.Caller) (storekeep.MailingAddress, error) {
	c, read, err := s.ownAddress(ctx, shop, accessToken, id, []string{"id"})
	if err != nil {
		return storekeep.MailingAddress{}, err
	}
	var updated storekeep.MailingAddress
	err = storekeep.RetryStale(ctx, func() error {
		a := read
		if err := address.Apply(&a, in, []string{"address"}); err != nil {
			return err
		}
		a.UpdatedAt = s.clock()
		stored, err := s.Store.UpdateAddress(ctx, a, read, s.addressAudit(c, storekeep.AuditAddressUpdated, caller))
		if !errors.Is(err, storekeep.ErrStale) {
			updated = stored
			return err
		}
		if read, err = s.Store.Address(ctx, shop.ID, c.ID, read.ID); err != nil {
			return err
		}
		return storekeep.ErrStale
	})
	switch {
	case errors.Is(err, storekeep.ErrNotFound):
		return storekeep.MailingAddress{}, addressNotFound([]string{"id"})
	case errors.Is(err, storekeep.ErrStale):
		return storekeep.MailingAddress{}, storekeep.Contended()
	}
	return updated, err
}

// DeleteAddress handles customerAddressDelete and returns the deleted
// address's id as given.
func (s *Service) DeleteAddress(ctx context.Context, shop storekeep.Shop, accessToken, id string, caller storekeep.Caller) (string, error) {
	c, a, err := s.ownAddress(ctx, shop, accessToken, id, []string{"id"})
	if err != nil {
		return "", err
	}
	err = s.Store.DeleteAddress(ctx, c.ShopID, c.ID, a.ID, s.addressAudit(c, storekeep.AuditAddressDeleted, caller))
	if errors.Is(err, storekeep.ErrNotFound) {
		return "", addressNotFound([]string{"id"})
	}
	if err != nil {
		return "", err
	}
	return id, nil
}

// SetDefaultAddress handles customerDefaultAddressUpdate and returns the
// customer.
func (s *Service) SetDefaultAddress(ctx context.Context, shop storekeep.Shop, accessToken, id string, caller storekeep.Caller) (storekeep.Customer, error) {
	c, a, err := s.ownAddress(ctx, shop, accessToken, id, []string{"addressId"})
	if err != nil {
		return storekeep.Customer{}, err
	}
	err = s.Store.SetDefaultAddress(ctx, c.ShopID, c.ID, a.ID, s.addressAudit(c, storekeep.AuditDefaultAddressChanged, caller))
	if errors.Is(err, storekeep.ErrNotFound) {
		return storekeep.Customer{}, addressNotFound([]string{"addressId"})
	}
	return c, err
}

// tokenCustomer is the live access token's customer, or TOKEN_INVALID.
func (s *Service) tokenCustomer(ctx context.Context, shop storekeep.Shop, accessToken string) (storekeep.Customer, error) {
	c, found, err := s.CustomerByToken(ctx, shop, accessToken)
	if err == nil && !found {
		err = tokenInvalid()
	}
	return c, err
}

// ownAddress returns the token's customer and their address id names,
// counting a change against the customer's allowance. An address of
// anyone else, or none, is NOT_FOUND on field, alike.
func (s *Service) ownAddress(ctx context.Context, shop storekeep.Shop, accessToken, id string, field []string) (storekeep.Customer, storekeep.MailingAddress, error) {
	c, err := s.tokenCustomer(ctx, shop, accessToken)
	if err != nil {
		return c, storekeep.MailingAddress{}, err
	}
	if err := s.throttleAddresses(ctx, c); err != nil {
		return c, storekeep.MailingAddress{}, err
	}
	n, ok := storekeep.ParseMailingAddressGID(id)
	if !ok {
		return c, storekeep.MailingAddress{}, addressNotFound(field)
	}
	a, err := s.Store.Address(ctx, shop.ID, c.ID, n)
	if errors.Is(err, storekeep.ErrNotFound) {
		return c, a, addressNotFound(field)
	}
	return c, a, err
}

func (s *Service) addressAudit(c storekeep.Customer, kind storekeep.AuditKind, caller storekeep.Caller) storekeep.AuditEvent {
	return storekeep.AuditEvent{ShopID: c.ShopID, CustomerID: c.ID, Kind: kind, IP: caller.IP,
		UserAgent: caller.UserAgent, At: s.clock()}
}
