package account

import (
	"context"
	"errors"

	"github.com/storekeep/storekeep"
)

// Create handles customerCreate: it validates every field, reporting all
// problems at once, and stores an enabled customer.
func (s *Service) Create(ctx context.Context, shop storekeep.Shop, in CreateInput, caller storekeep.Caller) (storekeep.Customer, error) {
	c, err := s.newCustomer(shop, in, storekeep.CustomerEnabled, s.Passwords.Check(in.Password, []string{"input", "password"}))
	if err != nil {
		return storekeep.Customer{}, err
	}
	if c.PasswordHash, err = s.Passwords.Hash(ctx, in.Password); err != nil {
		return storekeep.Customer{}, err
	}
	return s.insert(ctx, c)
}

// CreateInvited stores a customer without a password, in the invited
// state, for an administrator; the caller sends the activation mail.
func (s *Service) CreateInvited(ctx context.Context, shop storekeep.Shop, in CreateInput) (storekeep.Customer, error) {
	c, err := s.newCustomer(shop, in, storekeep.CustomerInvited, nil)
	if err != nil {
		return storekeep.Customer{}, err
	}
	return s.insert(ctx, c)
}

// newCustomer validates in and builds the customer to store; passwordErr
// is joined with the other problems so all are reported at once.
func (s *Service) newCustomer(shop storekeep.Shop, in CreateInput, state storekeep.CustomerState, passwordErr error) (storekeep.Customer, error) {
	now := s.clock()
	c := storekeep.Customer{
		ShopID:    shop.ID,
		Email:     sendTo(in.Email),
		EmailKey:  storekeep.NormalizeEmail(in.Email),
		State:     state,
		Tags:      []string{},
		CreatedAt: now,
		UpdatedAt: now,
	}
	if in.AcceptsMarketing != nil {
		c.AcceptsMarketing = *in.AcceptsMarketing
	}
	err := errors.Join(
		checkEmail(in.Email, []string{"input", "email"}),
		profile{in.FirstName, in.LastName, in.Phone}.apply(&c, "input"),
		passwordErr,
	)
	return c, err
}

func (s *Service) insert(ctx context.Context, c storekeep.Customer) (storekeep.Customer, error) {
	created, err := s.Store.CreateCustomer(ctx, c)
	if errors.Is(err, storekeep.ErrConflict) {
		return storekeep.Customer{}, emailTaken([]string{"input", "email"})
	}
	return created, err
}

func emailTaken(field []string) error {
	return storekeep.NewError(storekeep.CodeTaken, field, "Email has already been taken")
}
