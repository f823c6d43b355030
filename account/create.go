package account

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/storekeep/storekeep"
)

// ThrottledCreateMessage is Shopify's message for a throttled
// customerCreate.
const ThrottledCreateMessage = "Creating Customer Limit exceeded. Please try again later."

// Create handles customerCreate: it validates every field, reporting all
// problems at once, applies the throttles and stores an enabled customer.
//
// An address that already has an account gets TAKEN in a Shopify-mode
// shop; so does one whose insert meets an account that took the address
// meanwhile (even if it has moved on since: the answer is the
// conflict's). A private shop answers it as a new address, after the same
// work (see signUpTaken), and mails the owner instead.
func (s *Service) Create(ctx context.Context, shop storekeep.Shop, in CreateInput, caller storekeep.Caller) (storekeep.Customer, error) {
	c, err := s.newCustomer(shop, in, storekeep.CustomerEnabled, s.Passwords.Check(in.Password, []string{"input", "password"}))
	if err != nil {
		return storekeep.Customer{}, err
	}
	if err := s.throttleCreate(ctx, shop, caller); err != nil {
		return storekeep.Customer{}, err
	}
	if c.PasswordHash, err = s.Passwords.HashSignup(ctx, in.Password); err != nil {
		return storekeep.Customer{}, err
	}
	_, err = s.Store.CustomerByEmail(ctx, shop.ID, c.EmailKey)
	if errors.Is(err, storekeep.ErrNotFound) {
		var created storekeep.Customer
		created, err = s.Store.CreateCustomer(ctx, c, ordersWaiting(shop, c, caller))
		if !errors.Is(err, storekeep.ErrConflict) {
			return created, err
		}
		err = nil
	}
	if err != nil {
		return storekeep.Customer{}, err
	}
	if shop.Enumeration == storekeep.EnumerationShopify {
		return storekeep.Customer{}, emailTaken([]string{"input", "email"})
	}
	return s.signUpTaken(ctx, shop, c, caller)
}

// ordersWaiting is the job queued with every new account: it mails the
// address a link that proves it if orders placed with it are waiting. The
// worker runs it at its next poll, so neither the answer nor its time
// tells whether orders wait.
func ordersWaiting(shop storekeep.Shop, c storekeep.Customer, caller storekeep.Caller) storekeep.Job {
	return signUpJob(storekeep.JobOrdersWaiting, shop, c, caller)
}

// signUpJob is a job of kind about the sign-up of c, carrying the address
// and the caller.
func signUpJob(kind storekeep.JobKind, shop storekeep.Shop, c storekeep.Customer, caller storekeep.Caller) storekeep.Job {
	return storekeep.Job{ShopID: shop.ID, Kind: kind, Locale: caller.Locale, CreatedAt: c.CreatedAt,
		Recover: storekeep.RecoverRequest{Email: c.EmailKey, IP: caller.IP, UserAgent: caller.UserAgent}}
}

// signUpTaken answers a private-mode sign-up whose address has an account
// as a new address is answered: with c, the customer that would have been
// stored, under an id used up for it, so that the ids of sign-ups before
// and after it run on as if it had been stored. The password was hashed
// and dropped. In the same transaction it queues a JobAccountExists, as a
// new account queues its JobOrdersWaiting, so both answers cost one write
// of two rows; the worker decides at its next poll whether the owner is
// told (see ProcessAccountExists).
func (s *Service) signUpTaken(ctx context.Context, shop storekeep.Shop, c storekeep.Customer, caller storekeep.Caller) (storekeep.Customer, error) {
	var err error
	if c.ID, err = s.Store.ReserveCustomerID(ctx, signUpJob(storekeep.JobAccountExists, shop, c, caller)); err != nil {
		return storekeep.Customer{}, err
	}
	return c, nil
}

// ProcessAccountExists runs a JobAccountExists: the owner of the address
// gets an account_exists mail, at most AccountExistsPerEmail, unless the
// account is disabled or gone. It never marks the job done itself (done is
// always false): the worker does, after a nil error. A crash in between
// runs it again, and the notice limit keeps that to one mail.
func (s *Service) ProcessAccountExists(ctx context.Context, job storekeep.Job) (done bool, err error) {
	if job.Kind != storekeep.JobAccountExists {
		return false, fmt.Errorf("account: job %d is a %q, not an account_exists", job.ID, job.Kind)
	}
	shop, err := s.Store.ShopByID(ctx, job.ShopID)
	if err != nil {
		return false, fmt.Errorf("account: shop of job %d: %w", job.ID, err)
	}
	owner, err := s.Store.CustomerByEmail(ctx, shop.ID, job.Recover.Email)
	if errors.Is(err, storekeep.ErrNotFound) || err == nil && owner.State == storekeep.CustomerDisabled {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	key := "create:notice:" + strconv.FormatInt(shop.ID, 10) + ":" + owner.EmailKey
	if ok, err := s.Limiter.Allow(ctx, key, s.cfg.AccountExistsPerEmail); err != nil || !ok {
		return false, err
	}
	m, err := storekeep.AccountExistsMail(shop, owner, job.Locale, s.clock())
	if err != nil {
		return false, err
	}
	_, err = s.Store.EnqueueMail(ctx, m)
	return false, err
}

// throttleCreate refuses a sign-up when the client IP or the shop has used
// its allowance. The caller's own allowance is checked first.
func (s *Service) throttleCreate(ctx context.Context, shop storekeep.Shop, caller storekeep.Caller) error {
	shopKey := strconv.FormatInt(shop.ID, 10)
	ok, err := storekeep.AllowClientThen(ctx, s.Limiter, "create:ip:"+shopKey, caller.IP, s.cfg.CreatePerIP,
		storekeep.Counter{Key: "create:shop:" + shopKey, Limit: s.cfg.CreatePerShop})
	if err != nil || ok {
		return err
	}
	ev := storekeep.AuditEvent{ShopID: shop.ID, Kind: storekeep.AuditThrottled, IP: caller.IP, UserAgent: caller.UserAgent, Detail: "customerCreate", At: s.clock()}.Folded()
	if err := s.Store.RecordAudit(ctx, ev); err != nil {
		return err
	}
	return storekeep.Throttled(ThrottledCreateMessage)
}

// CreateByAdmin stores an enabled customer with a password for an
// administrator: not throttled, and TAKEN for an address that has an
// account whatever the shop's enumeration mode. The administrator vouches
// for the address, so it is verified.
func (s *Service) CreateByAdmin(ctx context.Context, shop storekeep.Shop, in CreateInput) (storekeep.Customer, error) {
	c, err := s.newCustomer(shop, in, storekeep.CustomerEnabled, s.Passwords.Check(in.Password, []string{"input", "password"}))
	if err != nil {
		return storekeep.Customer{}, err
	}
	c.EmailVerifiedAt = c.CreatedAt
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

func (s *Service) insert(ctx context.Context, c storekeep.Customer) (storekeep.Customer, error) {
	created, err := s.Store.CreateCustomer(ctx, c)
	if errors.Is(err, storekeep.ErrConflict) {
		return storekeep.Customer{}, emailTaken([]string{"input", "email"})
	}
	return created, err
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
		Tags:      append([]string{}, in.Tags...),
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

func emailTaken(field []string) error {
	return storekeep.NewError(storekeep.CodeTaken, field, "Email has already been taken")
}
