package account

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/storekeep/storekeep"
)

// Update handles customerUpdate. A new password revokes every access token
// of the customer, the one used here included, and returns a new one. A
// new email address is told to the former one, so that the owner of an
// account taken over through a stolen access token hears of it. Where the
// customer is written between Update's read and its write (a reset, a
// password change, another edit), Update reads it again, access token
// included, and starts over (storekeep.RetryStale): it never writes back
// what it read, and answers storekeep.Contended when every start met
// another write.
//
// A change of email address counts against EmailChangesPerCustomer
// before anything is written, and the notice to the former address
// against EmailChangedPerEmail once the change is stored (past it the
// change is made unannounced).
// A new password counts against PasswordChangesPerCustomer before it is
// hashed.
func (s *Service) Update(ctx context.Context, shop storekeep.Shop, accessToken string, in UpdateInput, caller storekeep.Caller) (storekeep.Customer, *storekeep.IssuedAccessToken, error) {
	var taken allowances
	var c storekeep.Customer
	var issued *storekeep.IssuedAccessToken
	err := storekeep.RetryStale(ctx, func() (err error) {
		c, issued, err = s.updateOnce(ctx, shop, accessToken, in, caller, &taken)
		return err
	})
	if errors.Is(err, storekeep.ErrStale) {
		return storekeep.Customer{}, nil, storekeep.Contended()
	}
	return c, issued, err
}

// ThrottledEmailChangeMessage is the message of a throttled change of
// email address.
const ThrottledEmailChangeMessage = "Too many email changes. Please try again later."

// ThrottledPasswordChangeMessage is the message of a throttled change of
// password.
const ThrottledPasswordChangeMessage = "Too many password changes. Please try again later."

// allowances are what an Update's attempts have taken from the limiter,
// so that an attempt made again after a concurrent write takes nothing
// twice: whether the email change and the password change were counted.
type allowances struct {
	changeCounted   bool
	passwordCounted bool
}

// emailNoticeKey counts the "your email address was changed" notices to
// the former address. Like passwordNoticeKey it is counted once the
// change is stored, so that a change refused (TAKEN) leaves the
// allowance to the change that follows: otherwise a client holding a
// stolen access token would spend it first and move the account unheard.
func emailNoticeKey(shop storekeep.Shop, former string) string {
	return "email:notice:" + strconv.FormatInt(shop.ID, 10) + ":" + former
}

// passwordNoticeKey counts the "your password was changed" notices to
// address. They are counted once the change is stored, so that an update
// that fails (asking for an address another account has) takes nothing
// from the allowance of the address it named.
func passwordNoticeKey(shop storekeep.Shop, address string) string {
	return "password:notice:" + strconv.FormatInt(shop.ID, 10) + ":" + address
}

// updateOnce reads the customer and writes the update once.
func (s *Service) updateOnce(ctx context.Context, shop storekeep.Shop, accessToken string, in UpdateInput, caller storekeep.Caller, taken *allowances) (storekeep.Customer, *storekeep.IssuedAccessToken, error) {
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
		if c.EmailKey != former.EmailKey {
			// The store leaves a new address unproven: so does the
			// notice of a password changed with it, which goes there.
			c.EmailVerifiedAt = time.Time{}
		}
	}
	if c.EmailKey != former.EmailKey && !taken.changeCounted {
		taken.changeCounted = true
		key := "email:customer:" + strconv.FormatInt(c.ID, 10)
		if ok, err := s.Limiter.Allow(ctx, key, s.cfg.EmailChangesPerCustomer); err != nil || !ok {
			return storekeep.Customer{}, nil, errors.Join(err, storekeep.Throttled(ThrottledEmailChangeMessage))
		}
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
	if in.Password != nil && !taken.passwordCounted {
		taken.passwordCounted = true
		key := "password:customer:" + strconv.FormatInt(c.ID, 10)
		if ok, err := s.Limiter.Allow(ctx, key, s.cfg.PasswordChangesPerCustomer); err != nil || !ok {
			return storekeep.Customer{}, nil, errors.Join(err, storekeep.Throttled(ThrottledPasswordChangeMessage))
		}
	}
	c.UpdatedAt = s.clock()
	u := storekeep.CustomerUpdate{Customer: c, Read: former}
	notified := false
	if c.EmailKey != former.EmailKey {
		u.Audit = append(u.Audit, customerAudit(c, storekeep.AuditEmailChanged, former.Email, caller))
		m, err := s.EmailChangedNotice(ctx, shop, former, c.Email, caller.Locale, c.UpdatedAt)
		if err != nil {
			return storekeep.Customer{}, nil, err
		}
		if m != nil {
			u.Mails, notified = append(u.Mails, *m), true
		}
	}
	var issued *storekeep.IssuedAccessToken
	announce := false
	if in.Password != nil {
		spent, err := s.Limiter.Exhausted(ctx, passwordNoticeKey(shop, c.EmailKey), s.cfg.PasswordChangedPerEmail)
		if err != nil {
			return storekeep.Customer{}, nil, err
		}
		announce = !spent
		if u, issued, err = s.withNewPassword(ctx, shop, u, *in.Password, announce, caller); err != nil {
			return storekeep.Customer{}, nil, err
		}
		u.Audit = append(u.Audit, customerAudit(c, storekeep.AuditPasswordChanged, "", caller))
	}
	updated, err := s.Store.UpdateCustomer(ctx, u)
	if errors.Is(err, storekeep.ErrConflict) {
		return storekeep.Customer{}, nil, emailTaken([]string{"customer", "email"})
	}
	if err != nil {
		return storekeep.Customer{}, nil, err
	}
	// Stored and queued: a limiter that fails now only lets the next notice go.
	if announce {
		_, _ = s.Limiter.Allow(ctx, passwordNoticeKey(shop, c.EmailKey), s.cfg.PasswordChangedPerEmail)
	}
	if notified {
		s.EmailChangeAnnounced(ctx, shop, former.EmailKey)
	} else if len(u.Mails) > 0 {
		s.MailQueued()
	}
	return updated, issued, nil
}

// customerAudit is the audit event of a change customerUpdate makes to c.
func customerAudit(c storekeep.Customer, kind storekeep.AuditKind, detail string, caller storekeep.Caller) storekeep.AuditEvent {
	return storekeep.AuditEvent{ShopID: c.ShopID, CustomerID: c.ID, Kind: kind, IP: caller.IP, UserAgent: caller.UserAgent,
		Detail: detail, At: c.UpdatedAt}
}

// withNewPassword gives u password's hash, a new access token in place of
// the customer's others and, when announce, the "your password was
// changed" notice.
func (s *Service) withNewPassword(ctx context.Context, shop storekeep.Shop, u storekeep.CustomerUpdate, password string, announce bool, caller storekeep.Caller) (storekeep.CustomerUpdate, *storekeep.IssuedAccessToken, error) {
	var err error
	if u.Customer.PasswordHash, err = s.Passwords.Hash(ctx, password); err != nil {
		return u, nil, err
	}
	t, issued, err := s.NewSession(shop.ID, u.Customer.ID)
	if err != nil {
		return u, nil, err
	}
	u.AccessToken = &t
	if !announce {
		return u, &issued, nil
	}
	notice, err := s.PasswordChangeNotice(shop, u.Customer, caller.Locale)
	if err != nil {
		return u, nil, err
	}
	if notice != nil {
		u.Mails = append(u.Mails, *notice)
	}
	return u, &issued, nil
}

// NewSession makes an access token for a customer that lives the
// configured AccessTokenTTL from now: the record to store and the value to
// hand out. Sign-in, a password change and a redeemed reset or activation
// link all issue theirs with it.
func (s *Service) NewSession(shopID, customerID int64) (storekeep.AccessToken, storekeep.IssuedAccessToken, error) {
	return storekeep.NewAccessToken(s.Keys, shopID, customerID, s.clock(), s.cfg.AccessTokenTTL)
}

// PasswordChangeNotice builds the "your password was changed" mail to c,
// or returns nil when SilentPasswordChange is set.
func (s *Service) PasswordChangeNotice(shop storekeep.Shop, c storekeep.Customer, locale string) (*storekeep.Mail, error) {
	if s.cfg.SilentPasswordChange {
		return nil, nil
	}
	m, err := storekeep.PasswordChangedMail(shop, c, locale, s.clock())
	if err != nil {
		return nil, err
	}
	return &m, nil
}
