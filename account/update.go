package account

import (
	"context"
	"errors"

	"github.com/storekeep/storekeep"
)

// Update handles customerUpdate. A new password revokes every access token
// of the customer, the one used here included, and returns a new one. A
// new email address is told to the former one, so that the owner of an
// account taken over through a stolen access token hears of it.
func (s *Service) Update(ctx context.Context, shop storekeep.Shop, accessToken string, in UpdateInput, caller storekeep.Caller) (storekeep.Customer, *storekeep.IssuedAccessToken, error) {
	c, found, err := s.CustomerByToken(ctx, shop, accessToken)
	if err != nil {
		return storekeep.Customer{}, nil, err
	}
	if !found {
		return storekeep.Customer{}, nil, storekeep.NewError(storekeep.CodeTokenInvalid, []string{"customerAccessToken"}, "Customer access token is invalid")
	}
	var errs []error
	former := c
	if in.Email != nil {
		errs = append(errs, checkEmail(*in.Email, []string{"customer", "email"}))
		c.Email, c.EmailKey = sendTo(*in.Email), storekeep.NormalizeEmail(*in.Email)
	}
	if in.Password != nil {
		errs = append(errs, s.Passwords.Check(*in.Password, []string{"customer", "password"}))
	}
	if in.AcceptsMarketing != nil {
		c.AcceptsMarketing = *in.AcceptsMarketing
	}
	errs = append(errs, profile{in.FirstName, in.LastName, in.Phone}.apply(&c, "customer"))
	if err := errors.Join(errs...); err != nil {
		return storekeep.Customer{}, nil, err
	}
	c.UpdatedAt = s.clock()
	u := storekeep.CustomerUpdate{Customer: c}
	if c.EmailKey != former.EmailKey {
		m, err := storekeep.EmailChangedMail(shop, former, c.Email, caller.Locale, c.UpdatedAt)
		if err != nil {
			return storekeep.Customer{}, nil, err
		}
		u.Mails = append(u.Mails, m)
	}
	var issued *storekeep.IssuedAccessToken
	if in.Password != nil {
		if u, issued, err = s.withNewPassword(ctx, shop, u, *in.Password, caller); err != nil {
			return storekeep.Customer{}, nil, err
		}
	}
	updated, err := s.Store.UpdateCustomer(ctx, u)
	if errors.Is(err, storekeep.ErrConflict) {
		return storekeep.Customer{}, nil, emailTaken([]string{"customer", "email"})
	}
	if err != nil {
		return storekeep.Customer{}, nil, err
	}
	if len(u.Mails) > 0 {
		s.MailQueued()
	}
	return updated, issued, nil
}

func (s *Service) withNewPassword(ctx context.Context, shop storekeep.Shop, u storekeep.CustomerUpdate, password string, caller storekeep.Caller) (storekeep.CustomerUpdate, *storekeep.IssuedAccessToken, error) {
	var err error
	if u.Customer.PasswordHash, err = s.Passwords.Hash(ctx, password); err != nil {
		return u, nil, err
	}
	t, issued, err := storekeep.NewAccessToken(s.Keys, shop.ID, u.Customer.ID, s.clock(), s.cfg.AccessTokenTTL)
	if err != nil {
		return u, nil, err
	}
	u.AccessToken = &t
	if !s.cfg.SilentPasswordChange {
		m, err := storekeep.PasswordChangedMail(shop, u.Customer, caller.Locale, s.clock())
		if err != nil {
			return u, nil, err
		}
		u.Mails = append(u.Mails, m)
	}
	return u, &issued, nil
}
