package multipass

import (
	"context"
	"encoding/base64"
	"errors"
	"net/netip"
	"strconv"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/address"
)

// Store is the storage the service needs, each method as storekeep.Store
// documents it.
type Store interface {
	MultipassSecret(ctx context.Context, shopID int64) (string, error)
	SpendMultipassToken(ctx context.Context, shopID int64, hashes [][]byte, expiresAt, now time.Time) error
	CustomerByMultipassIdentifier(ctx context.Context, shopID int64, identifier string) (storekeep.Customer, error)
	MultipassIdentifier(ctx context.Context, shopID, customerID int64) (string, error)
	SetMultipassIdentifier(ctx context.Context, shopID, customerID int64, identifier string) error
	CustomerByEmail(ctx context.Context, shopID int64, key string) (storekeep.Customer, error)
	CreateCustomer(ctx context.Context, c storekeep.Customer, jobs ...storekeep.Job) (storekeep.Customer, error)
	UpdateCustomer(ctx context.Context, u storekeep.CustomerUpdate) (storekeep.Customer, error)
	Addresses(ctx context.Context, shopID, customerID int64) ([]storekeep.MailingAddress, error)
	SetDefaultAddress(ctx context.Context, shopID, customerID, id int64, e storekeep.AuditEvent) error
	CreateAccessToken(ctx context.Context, t storekeep.AccessToken, verified string) (storekeep.AccessToken, error)
	RecordAudit(ctx context.Context, e storekeep.AuditEvent) error
}

// Accounts is the account policy a Multipass sign-in follows;
// *account.Service is one.
type Accounts interface {
	// AddAddressOnce adds an address to a customer's book, bounded and
	// audited as customerAddressCreate does, unless the customer holds it
	// already: then it returns that one with created false.
	AddAddressOnce(ctx context.Context, c storekeep.Customer, in address.Input, asDefault bool, caller storekeep.Caller) (_ storekeep.MailingAddress, created bool, _ error)
	// NewSession makes the access token a sign-in returns, as password
	// sign-in does.
	NewSession(shopID, customerID int64) (storekeep.AccessToken, storekeep.IssuedAccessToken, error)
	// EmailChangedNotice and EmailChangeAnnounced tell the former address
	// of a customer the token moves to another, under customerUpdate's
	// allowance of such notices.
	EmailChangedNotice(ctx context.Context, shop storekeep.Shop, former storekeep.Customer, newEmail, locale string, at time.Time) (*storekeep.Mail, error)
	EmailChangeAnnounced(ctx context.Context, shop storekeep.Shop, formerKey string)
}

// Config holds the service's tunables; zero fields take DefaultConfig's.
type Config struct {
	// PerIP limits Multipass sign-ins per client IP and shop.
	PerIP storekeep.Limit
}

// DefaultConfig returns storekeep's defaults: those of password sign-in,
// 60 sign-ins a minute per client IP and shop.
func DefaultConfig() Config {
	return Config{PerIP: storekeep.Limit{Count: 60, Per: time.Minute}}
}

// Validate refuses settings that cannot work: a limit that allows nothing.
func (c Config) Validate() error {
	return storekeep.CheckLimit("Multipass sign-ins per IP", c.PerIP)
}

func (c Config) withDefaults() Config {
	if c.PerIP.Count == 0 {
		c.PerIP = DefaultConfig().PerIP
	}
	return c
}

// Deps are the Service's collaborators; Now is optional.
type Deps struct {
	Store    Store
	Accounts Accounts
	Limiter  storekeep.Limiter
	Keys     storekeep.Keyring
	Now      storekeep.Clock
}

// Service signs customers in by Multipass. It is safe for concurrent use.
type Service struct {
	Deps
	cfg Config
}

// New returns a Service.
func New(d Deps, cfg Config) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{Deps: d, cfg: cfg.withDefaults()}
}

func (s *Service) clock() time.Time { return s.Now().UTC() }

// InvalidMessage is the message of every refused token. A token that
// does not verify gets it alone; one that verifies but is refused gets it
// followed by the reason, which only the holder of the secret can learn.
const InvalidMessage = "Invalid Multipass request"

var (
	tokenField  = []string{"multipassToken"}
	errNoSecret = errors.New("the shop has no Multipass secret")
)

// SignIn handles customerAccessTokenCreateWithMultipass: it verifies the
// token with the shop's secret, spends it, creates or updates the
// customer it names and returns a new access token for them.
func (s *Service) SignIn(ctx context.Context, shop storekeep.Shop, token string, caller storekeep.Caller) (storekeep.IssuedAccessToken, error) {
	var none storekeep.IssuedAccessToken
	if err := s.throttle(ctx, shop, caller); err != nil {
		return none, err
	}
	now := s.clock()
	l, signature, err := s.verify(ctx, shop, token, caller, now)
	if err != nil {
		return none, s.refuse(ctx, shop, caller, err)
	}
	err = s.Store.SpendMultipassToken(ctx, shop.ID, s.Keys.Hashes(spentKey(shop.ID, signature)), l.CreatedAt.Add(MaxAge+MaxSkew), now)
	if errors.Is(err, storekeep.ErrTokenSpent) {
		err = problem("the token has been used already")
	}
	if err != nil {
		return none, s.refuse(ctx, shop, caller, err)
	}
	sv, err := s.save(ctx, shop, l, caller.Locale, now)
	if err == nil {
		err = s.addAddresses(ctx, sv.customer, l.Addresses, caller)
	}
	if err != nil {
		return none, s.refuse(ctx, shop, caller, err)
	}
	issued, err := s.session(ctx, shop, sv)
	if err != nil {
		return none, err
	}
	detail := "updated"
	if sv.created {
		detail = "created"
	}
	ev := storekeep.AuditEvent{ShopID: shop.ID, CustomerID: sv.customer.ID, Kind: storekeep.AuditMultipassLogin, IP: caller.IP,
		UserAgent: caller.UserAgent, Detail: detail, At: now}
	return issued, s.Store.RecordAudit(ctx, ev)
}

// session returns the sign-in's access token: the one save stored with
// its update, or a new one stored now.
func (s *Service) session(ctx context.Context, shop storekeep.Shop, sv saved) (storekeep.IssuedAccessToken, error) {
	if sv.session != nil {
		return *sv.session, nil
	}
	t, issued, err := s.Accounts.NewSession(shop.ID, sv.customer.ID)
	if err != nil {
		return storekeep.IssuedAccessToken{}, err
	}
	_, err = s.Store.CreateAccessToken(ctx, t, "")
	return issued, err
}

// verify opens token with the shop's secret and checks what it says.
func (s *Service) verify(ctx context.Context, shop storekeep.Shop, token string, caller storekeep.Caller, now time.Time) (Login, []byte, error) {
	secret, err := s.Store.MultipassSecret(ctx, shop.ID)
	if err != nil {
		return Login{}, nil, err
	}
	if secret == "" {
		return Login{}, nil, errNoSecret
	}
	plain, signature, err := NewKeys(secret).Open(token)
	if err != nil {
		return Login{}, nil, err
	}
	l, err := ParseLogin(plain, now)
	if err != nil {
		return Login{}, nil, err
	}
	if l.RemoteIP.IsValid() && !sameIP(l.RemoteIP, caller.IP) {
		return Login{}, nil, problem("the token is for another client IP address (remote_ip)")
	}
	return l, signature, nil
}

// spentKey is what the keyed hash of a spent token is taken of: its
// signature, unique to it and the same however its base64 is written,
// within its shop.
func spentKey(shopID int64, signature []byte) string {
	return "multipass " + strconv.FormatInt(shopID, 10) + " " + base64.RawURLEncoding.EncodeToString(signature)
}

func sameIP(want netip.Addr, ip string) bool {
	got, err := netip.ParseAddr(ip)
	return err == nil && got.Unmap().WithZone("") == want.Unmap().WithZone("")
}

// throttle refuses a sign-in when the client IP has used its allowance.
func (s *Service) throttle(ctx context.Context, shop storekeep.Shop, caller storekeep.Caller) error {
	name := "multipass:ip:" + strconv.FormatInt(shop.ID, 10)
	ok, err := storekeep.AllowClient(ctx, s.Limiter, name, caller.IP, s.cfg.PerIP)
	if err != nil || ok {
		return err
	}
	ev := storekeep.AuditEvent{ShopID: shop.ID, Kind: storekeep.AuditThrottled, IP: caller.IP,
		UserAgent: caller.UserAgent, Detail: "customerAccessTokenCreateWithMultipass", At: s.clock()}.Folded()
	if err := s.Store.RecordAudit(ctx, ev); err != nil {
		return err
	}
	return storekeep.Throttled(account.ThrottledLoginMessage)
}

// refuse records why a sign-in failed, for the operator, and returns the
// client's INVALID_MULTIPASS_REQUEST. Errors that are not the token's
// fault pass through.
func (s *Service) refuse(ctx context.Context, shop storekeep.Shop, caller storekeep.Caller, reason error) error {
	var p problem
	isProblem := errors.As(reason, &p)
	if !isProblem && !isTokenFault(reason) {
		return reason
	}
	ev := storekeep.AuditEvent{ShopID: shop.ID, Kind: storekeep.AuditMultipassFailed, IP: caller.IP,
		UserAgent: caller.UserAgent, Detail: reason.Error(), At: s.clock()}.Folded()
	if err := s.Store.RecordAudit(ctx, ev); err != nil {
		return err
	}
	msg := InvalidMessage
	if isProblem {
		msg += ": " + string(p)
	}
	return storekeep.NewError(storekeep.CodeInvalidMultipassRequest, tokenField, msg)
}

func isTokenFault(err error) bool {
	for _, e := range []error{errNoSecret, errTooLong, errEncoding, errShape, errSignature, errPadding} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
