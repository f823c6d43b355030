package recovery

import (
	"context"
	"errors"
	"strconv"

	"github.com/storekeep/storekeep"
)

// ThrottledTokenMessage is the message of a throttled token submission.
const ThrottledTokenMessage = "Too many attempts. Please try again later."

// redemption is one submission of a one-time token, with the input paths
// its errors point at.
type redemption struct {
	purpose       storekeep.TokenPurpose
	customerID    int64
	token         string
	password      string
	tokenField    []string
	passwordField []string
}

// Reset handles customerReset(id, input: {resetToken, password}).
func (s *Service) Reset(ctx context.Context, shop storekeep.Shop, id, resetToken, password string, caller storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error) {
	customerID, ok := storekeep.ParseCustomerGID(id)
	if !ok {
		return storekeep.Customer{}, storekeep.IssuedAccessToken{}, storekeep.NewError(storekeep.CodeInvalid, []string{"id"}, "Id is invalid")
	}
	return s.redeem(ctx, shop, redemption{
		purpose: storekeep.PurposeReset, customerID: customerID, token: resetToken, password: password,
		tokenField: []string{"input", "resetToken"}, passwordField: []string{"input", "password"},
	}, caller)
}

// ResetByURL handles customerResetByUrl(resetUrl, password).
func (s *Service) ResetByURL(ctx context.Context, shop storekeep.Shop, resetURL, password string, caller storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error) {
	customerID, token, ok := ParseAccountURL(resetURL, s.linkPath(shop), "reset")
	if !ok {
		return storekeep.Customer{}, storekeep.IssuedAccessToken{}, storekeep.NewError(storekeep.CodeInvalid, []string{"resetUrl"}, "Reset URL is invalid")
	}
	return s.redeem(ctx, shop, redemption{
		purpose: storekeep.PurposeReset, customerID: customerID, token: token, password: password,
		tokenField: []string{"resetUrl"}, passwordField: []string{"password"},
	}, caller)
}

// Activate handles customerActivate(id, input: {activationToken, password}).
func (s *Service) Activate(ctx context.Context, shop storekeep.Shop, id, activationToken, password string, caller storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error) {
	customerID, ok := storekeep.ParseCustomerGID(id)
	if !ok {
		return storekeep.Customer{}, storekeep.IssuedAccessToken{}, storekeep.NewError(storekeep.CodeInvalid, []string{"id"}, "Id is invalid")
	}
	return s.redeem(ctx, shop, redemption{
		purpose: storekeep.PurposeActivation, customerID: customerID, token: activationToken, password: password,
		tokenField: []string{"input", "activationToken"}, passwordField: []string{"input", "password"},
	}, caller)
}

// ActivateByURL handles customerActivateByUrl(activationUrl, password).
func (s *Service) ActivateByURL(ctx context.Context, shop storekeep.Shop, activationURL, password string, caller storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error) {
	customerID, token, ok := ParseAccountURL(activationURL, s.linkPath(shop), "activate")
	if !ok {
		return storekeep.Customer{}, storekeep.IssuedAccessToken{}, storekeep.NewError(storekeep.CodeInvalid, []string{"activationUrl"}, "Activation URL is invalid")
	}
	return s.redeem(ctx, shop, redemption{
		purpose: storekeep.PurposeActivation, customerID: customerID, token: token, password: password,
		tokenField: []string{"activationUrl"}, passwordField: []string{"password"},
	}, caller)
}

// redeem checks the token, then the password policy (a policy failure does
// not spend the token), hashes the password outside any transaction and
// lets the store redeem the token atomically.
func (s *Service) redeem(ctx context.Context, shop storekeep.Shop, r redemption, caller storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error) {
	var none storekeep.IssuedAccessToken
	tok, customer, err := s.validToken(ctx, shop, r)
	if errors.Is(err, errBadToken) {
		return storekeep.Customer{}, none, s.rejectToken(ctx, shop, r, caller)
	}
	if err != nil {
		return storekeep.Customer{}, none, err
	}
	if r.purpose == storekeep.PurposeActivation && customer.State == storekeep.CustomerEnabled {
		return storekeep.Customer{}, none, storekeep.NewError(storekeep.CodeAlreadyEnabled, nil, "Customer is already enabled")
	}
	if err := s.passwords.Check(r.password, r.passwordField); err != nil {
		return storekeep.Customer{}, none, err
	}
	hash, err := s.passwords.Hash(ctx, r.password)
	if err != nil {
		return storekeep.Customer{}, none, err
	}
	access, issued, err := s.sessions.NewSession(shop.ID, customer.ID)
	if err != nil {
		return storekeep.Customer{}, none, err
	}
	now := s.clock()
	kind := storekeep.AuditResetSucceeded
	if r.purpose == storekeep.PurposeActivation {
		kind = storekeep.AuditActivated
	}
	red := storekeep.Redemption{
		Token:        tok,
		PasswordHash: hash,
		Now:          now,
		AccessToken:  access,
		Audit:        s.audit(shop, customer.ID, kind, caller, ""),
	}
	if r.purpose == storekeep.PurposeReset {
		if red.Mail, err = s.sessions.PasswordChangeNotice(shop, customer, caller.Locale); err != nil {
			return storekeep.Customer{}, none, err
		}
	}
	updated, err := s.store.RedeemCustomerToken(ctx, red)
	if errors.Is(err, storekeep.ErrTokenSpent) {
		return storekeep.Customer{}, none, s.lostRace(ctx, shop, r, caller)
	}
	if err != nil {
		return storekeep.Customer{}, none, err
	}
	if red.Mail != nil {
		s.mailQueued()
	}
	return updated, issued, nil
}

var errBadToken = errors.New("recovery: bad token")

// validToken returns the stored token and its customer when r.token is an
// unused, unexpired token of r.purpose issued to r.customerID, an enabled
// or invited customer; errBadToken otherwise, whatever the reason.
func (s *Service) validToken(ctx context.Context, shop storekeep.Shop, r redemption) (storekeep.CustomerToken, storekeep.Customer, error) {
	if r.token == "" {
		return storekeep.CustomerToken{}, storekeep.Customer{}, errBadToken
	}
	tok, err := s.store.CustomerTokenByHash(ctx, shop.ID, r.customerID, r.purpose, s.keys.Hashes(r.token))
	if errors.Is(err, storekeep.ErrNotFound) {
		return tok, storekeep.Customer{}, errBadToken
	}
	if err != nil {
		return tok, storekeep.Customer{}, err
	}
	if !s.keys.Matches(r.token, tok.Hash) || tok.CustomerID != r.customerID || !s.clock().Before(tok.ExpiresAt) {
		return tok, storekeep.Customer{}, errBadToken
	}
	customer, err := s.store.CustomerByID(ctx, shop.ID, tok.CustomerID)
	if errors.Is(err, storekeep.ErrNotFound) || err == nil && customer.State == storekeep.CustomerDisabled {
		return tok, customer, errBadToken
	}
	return tok, customer, err
}

// rejectToken counts a bad submission and answers TOKEN_INVALID, or
// THROTTLED once the client IP or the customer has used up its allowance
// of bad tokens. A genuine token is never refused by these counters, so
// an attacker who knows a customer's id cannot lock them out of a reset.
// The client's own allowance is counted first: a client that has used it
// up creates no counter for the customer id it names, so it cannot fill
// the limiter with ids of its choosing.
func (s *Service) rejectToken(ctx context.Context, shop storekeep.Shop, r redemption, caller storekeep.Caller) error {
	shopKey := strconv.FormatInt(shop.ID, 10)
	ok, err := storekeep.AllowClientThen(ctx, s.limiter, "badtoken:ip:"+shopKey, caller.IP, s.cfg.FailedTokensPerIP,
		storekeep.Counter{Key: guessesAtCustomer(r.customerID), Limit: s.cfg.FailedTokensPerCustomer})
	if err != nil {
		return err
	}
	ev := s.audit(shop, r.customerID, storekeep.AuditResetFailed, caller, "token invalid")
	var answer error = storekeep.NewError(storekeep.CodeTokenInvalid, r.tokenField, invalidTokenMessage(r.purpose))
	if !ok {
		ev = s.audit(shop, r.customerID, storekeep.AuditThrottled, caller, "bad token allowance used up").Folded()
		answer = storekeep.Throttled(ThrottledTokenMessage)
	}
	if err := s.store.RecordAudit(ctx, ev); err != nil {
		return err
	}
	return answer
}

// guessesAtCustomer is the limiter key that counts bad tokens submitted
// for a customer id, on the API and the hosted pages together. Customer
// ids are unique across shops, so it names no shop: a guess through any
// shop's link counts.
func guessesAtCustomer(id int64) string { return "badtoken:customer:" + strconv.FormatInt(id, 10) }

// lostRace answers a submission whose token was genuine when checked but
// was spent by a concurrent one first. It is TOKEN_INVALID, but it is not
// a guess, so it does not count against the bad-token allowances.
func (s *Service) lostRace(ctx context.Context, shop storekeep.Shop, r redemption, caller storekeep.Caller) error {
	if err := s.store.RecordAudit(ctx, s.audit(shop, r.customerID, storekeep.AuditResetFailed, caller, "token spent concurrently")); err != nil {
		return err
	}
	return storekeep.NewError(storekeep.CodeTokenInvalid, r.tokenField, invalidTokenMessage(r.purpose))
}

func invalidTokenMessage(p storekeep.TokenPurpose) string {
	if p == storekeep.PurposeActivation {
		return "Activation link is invalid or has expired"
	}
	return "Reset password link is invalid or has expired"
}
