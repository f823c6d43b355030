package account

import (
	"context"
	"errors"
	"hash/maphash"
	"strconv"
	"strings"

	"github.com/storekeep/storekeep"
)

// ThrottledLoginMessage is the message of a throttled sign-in.
const ThrottledLoginMessage = "Login attempt limit exceeded. Please try again later."

// turnSeed spreads addresses over Service.turns.
var turnSeed = maphash.MakeSeed()

func unidentified() error {
	return storekeep.NewError(storekeep.CodeUnidentifiedCustomer, nil, "Unidentified customer")
}

// Login handles customerAccessTokenCreate. A wrong email and a wrong
// password get the same answer after the same work; an address longer
// than any account's is counted under its first MaxEmailLength+1 bytes.
// A node checks an address's allowance of failed sign-ins, verifies the
// password and counts a failure in turn with the other sign-ins for that
// address, so that guesses sent at once get no more than the allowance.
func (s *Service) Login(ctx context.Context, shop storekeep.Shop, email, password string, caller storekeep.Caller) (storekeep.IssuedAccessToken, error) {
	var none storekeep.IssuedAccessToken
	if err := errors.Join(
		storekeep.CheckPlainLine(email, []string{"input", "email"}, "Email"),
		storekeep.CheckPlainLine(password, []string{"input", "password"}, "Password"),
	); err != nil {
		return none, err
	}
	key := storekeep.NormalizeEmail(email)
	possible := len(key) <= storekeep.MaxEmailLength
	if !possible {
		key = key[:storekeep.MaxEmailLength+1]
	}
	shopKey := strconv.FormatInt(shop.ID, 10)
	emailCounter := "login:failed:" + shopKey + ":" + key
	turn := &s.turns[maphash.String(turnSeed, emailCounter)%uint64(len(s.turns))]
	turn.Lock()
	defer turn.Unlock()
	if err := s.throttleLogin(ctx, shop, caller, emailCounter); err != nil {
		return none, err
	}
	customer, err := storekeep.Customer{}, storekeep.ErrNotFound
	if possible {
		customer, err = s.Store.CustomerByEmail(ctx, shop.ID, key)
	}
	if err != nil && !errors.Is(err, storekeep.ErrNotFound) {
		return none, err
	}
	ok := false
	if err == nil && customer.State == storekeep.CustomerEnabled && customer.PasswordHash != "" {
		if ok, err = s.Passwords.Verify(ctx, password, customer.PasswordHash); err != nil {
			return none, err
		}
	} else if err := s.Passwords.VerifyNothing(ctx, password); err != nil {
		return none, err
	}
	if !ok {
		if _, err := s.Limiter.Allow(ctx, emailCounter, s.cfg.FailedLoginsPerEmail); err != nil {
			return none, err
		}
		ev := storekeep.AuditEvent{ShopID: shop.ID, CustomerID: customer.ID, Kind: storekeep.AuditLoginFailed, IP: caller.IP, UserAgent: caller.UserAgent, At: s.clock()}
		if err := s.Store.RecordAudit(ctx, ev); err != nil {
			return none, err
		}
		return none, unidentified()
	}
	issued, customer, err := s.storeSession(ctx, shop, customer, password)
	if err != nil {
		return none, err
	}
	s.rehash(ctx, customer, password)
	return issued, nil
}

// storeSession stores a new access token for c, whose password a sign-in
// verified against c.PasswordHash, and returns it with c as stored then.
// When the hash was replaced meanwhile the password is checked again
// against the new one: another node's rehash of the same password keeps
// the sign-in good, a password change or a reset does not (answered as a
// wrong password, UNIDENTIFIED_CUSTOMER).
func (s *Service) storeSession(ctx context.Context, shop storekeep.Shop, c storekeep.Customer, password string) (storekeep.IssuedAccessToken, storekeep.Customer, error) {
	for range 3 {
		t, issued, err := s.NewSession(shop.ID, c.ID)
		if err != nil {
			return storekeep.IssuedAccessToken{}, c, err
		}
		if _, err = s.Store.CreateAccessToken(ctx, t, c.PasswordHash); !errors.Is(err, storekeep.ErrStale) {
			return issued, c, err
		}
		if c, err = s.Store.CustomerByID(ctx, shop.ID, c.ID); errors.Is(err, storekeep.ErrNotFound) {
			break
		} else if err != nil {
			return storekeep.IssuedAccessToken{}, c, err
		}
		if c.State != storekeep.CustomerEnabled || c.PasswordHash == "" {
			break
		}
		ok, err := s.Passwords.Verify(ctx, password, c.PasswordHash)
		if err != nil {
			return storekeep.IssuedAccessToken{}, c, err
		}
		if !ok {
			break
		}
	}
	return storekeep.IssuedAccessToken{}, c, unidentified()
}

// rehash replaces the customer's password hash, after a successful
// sign-in, when it was made with other parameters than the hasher's now
// (older settings, or a hash imported from elsewhere). It is best effort:
// the sign-in succeeds anyway, and the next one tries again; a password
// changed meanwhile is left alone.
func (s *Service) rehash(ctx context.Context, c storekeep.Customer, password string) {
	if !s.Passwords.NeedsRehash(c.PasswordHash) {
		return
	}
	hash, err := s.Passwords.Hash(ctx, password)
	if err != nil {
		return
	}
	_ = s.Store.ReplacePasswordHash(ctx, c.ShopID, c.ID, c.PasswordHash, hash)
}

// throttleLogin refuses a sign-in when the client IP has used its
// allowance or the address has too many recent failures.
func (s *Service) throttleLogin(ctx context.Context, shop storekeep.Shop, caller storekeep.Caller, emailCounter string) error {
	exhausted, err := s.Limiter.Exhausted(ctx, emailCounter, s.cfg.FailedLoginsPerEmail)
	if err != nil {
		return err
	}
	allowed := false
	if !exhausted {
		name := "login:ip:" + strconv.FormatInt(shop.ID, 10)
		if allowed, err = storekeep.AllowClient(ctx, s.Limiter, name, caller.IP, s.cfg.LoginPerIP); err != nil {
			return err
		}
	}
	if allowed {
		return nil
	}
	ev := storekeep.AuditEvent{ShopID: shop.ID, Kind: storekeep.AuditThrottled, IP: caller.IP, UserAgent: caller.UserAgent, Detail: "customerAccessTokenCreate", At: s.clock()}.Folded()
	if err := s.Store.RecordAudit(ctx, ev); err != nil {
		return err
	}
	return storekeep.Throttled(ThrottledLoginMessage)
}

func accessTokenMissing() error {
	return storekeep.NewError(storekeep.CodeInvalid, []string{"customerAccessToken"}, "access token does not exist")
}

// lookup returns the live access token value names, or ErrNotFound.
func (s *Service) lookup(ctx context.Context, shop storekeep.Shop, value string) (storekeep.AccessToken, error) {
	if strings.TrimSpace(value) == "" {
		return storekeep.AccessToken{}, storekeep.ErrNotFound
	}
	t, err := s.Store.AccessTokenByHash(ctx, shop.ID, s.Keys.Hashes(value), s.clock())
	if err == nil && !s.Keys.Matches(value, t.Hash) {
		return storekeep.AccessToken{}, storekeep.ErrNotFound
	}
	return t, err
}

// holder returns t's customer, or ErrNotFound when it is gone or disabled:
// its tokens open nothing then.
func (s *Service) holder(ctx context.Context, shop storekeep.Shop, t storekeep.AccessToken) (storekeep.Customer, error) {
	c, err := s.Store.CustomerByID(ctx, shop.ID, t.CustomerID)
	if err == nil && c.State == storekeep.CustomerDisabled {
		return storekeep.Customer{}, storekeep.ErrNotFound
	}
	return c, err
}

// Renew handles customerAccessTokenRenew: a live token's expiry moves to a
// full lifetime from now. A disabled customer's token is not renewed, as
// it is not shown a customer.
func (s *Service) Renew(ctx context.Context, shop storekeep.Shop, accessToken string) (storekeep.IssuedAccessToken, error) {
	t, err := s.lookup(ctx, shop, accessToken)
	if err == nil {
		_, err = s.holder(ctx, shop, t)
	}
	if errors.Is(err, storekeep.ErrNotFound) {
		return storekeep.IssuedAccessToken{}, accessTokenMissing()
	}
	if err != nil {
		return storekeep.IssuedAccessToken{}, err
	}
	now := s.clock()
	expires := now.Add(s.cfg.AccessTokenTTL)
	if err := s.Store.RenewAccessToken(ctx, t.ID, expires, now); errors.Is(err, storekeep.ErrNotFound) {
		return storekeep.IssuedAccessToken{}, accessTokenMissing()
	} else if err != nil {
		return storekeep.IssuedAccessToken{}, err
	}
	return storekeep.IssuedAccessToken{Token: accessToken, ExpiresAt: expires}, nil
}

// Delete handles customerAccessTokenDelete and returns the deleted token's
// id, gid://shopify/CustomerAccessToken/<n>.
func (s *Service) Delete(ctx context.Context, shop storekeep.Shop, accessToken string) (string, error) {
	t, err := s.lookup(ctx, shop, accessToken)
	if err == nil {
		err = s.Store.RevokeAccessToken(ctx, t.ID)
	}
	if errors.Is(err, storekeep.ErrNotFound) {
		return "", accessTokenMissing()
	}
	if err != nil {
		return "", err
	}
	return "gid://shopify/CustomerAccessToken/" + strconv.FormatInt(t.ID, 10), nil
}

// CustomerByToken handles QueryRoot.customer: the token's customer, or
// found false for an unknown, expired or revoked token.
func (s *Service) CustomerByToken(ctx context.Context, shop storekeep.Shop, accessToken string) (storekeep.Customer, bool, error) {
	t, err := s.lookup(ctx, shop, accessToken)
	if errors.Is(err, storekeep.ErrNotFound) {
		return storekeep.Customer{}, false, nil
	}
	if err != nil {
		return storekeep.Customer{}, false, err
	}
	c, err := s.holder(ctx, shop, t)
	if errors.Is(err, storekeep.ErrNotFound) {
		return storekeep.Customer{}, false, nil
	}
	return c, err == nil, err
}
