package account

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/storekeep/storekeep"
)

// Store is the storage the service needs, each method as storekeep.Store
// documents it.
type Store interface {
	CreateCustomer(ctx context.Context, c storekeep.Customer, jobs ...storekeep.Job) (storekeep.Customer, error)
	ReserveCustomerID(ctx context.Context, jobs ...storekeep.Job) (int64, error)
	ShopByID(ctx context.Context, id int64) (storekeep.Shop, error)
	CustomerByID(ctx context.Context, shopID, id int64) (storekeep.Customer, error)
	CustomerByEmail(ctx context.Context, shopID int64, key string) (storekeep.Customer, error)
	UpdateCustomer(ctx context.Context, u storekeep.CustomerUpdate) (storekeep.Customer, error)
	ReplacePasswordHash(ctx context.Context, shopID, id int64, old, newHash string) error
	CreateAccessToken(ctx context.Context, t storekeep.AccessToken, verified string) (storekeep.AccessToken, error)
	AccessTokenByHash(ctx context.Context, shopID int64, hashes [][]byte, now time.Time) (storekeep.AccessToken, error)
	RenewAccessToken(ctx context.Context, id int64, expiresAt, now time.Time) error
	RevokeAccessToken(ctx context.Context, id int64) error
	RecordAudit(ctx context.Context, e storekeep.AuditEvent) error
	EnqueueMail(ctx context.Context, m storekeep.Mail) (int64, error)
	CreateAddress(ctx context.Context, a storekeep.MailingAddress, max int, e storekeep.AuditEvent) (storekeep.MailingAddress, error)
	CreateAddressOnce(ctx context.Context, a storekeep.MailingAddress, max int, e storekeep.AuditEvent) (storekeep.MailingAddress, bool, error)
	UpdateAddress(ctx context.Context, a, read storekeep.MailingAddress, e storekeep.AuditEvent) (storekeep.MailingAddress, error)
	DeleteAddress(ctx context.Context, shopID, customerID, id int64, e storekeep.AuditEvent) error
	SetDefaultAddress(ctx context.Context, shopID, customerID, id int64, e storekeep.AuditEvent) error
	Address(ctx context.Context, shopID, customerID, id int64) (storekeep.MailingAddress, error)
	Addresses(ctx context.Context, shopID, customerID int64) ([]storekeep.MailingAddress, error)
}

// Passwords hashes, verifies and judges passwords.
type Passwords interface {
	Hash(ctx context.Context, password string) (string, error)
	// HashSignup is Hash for a new account, apart from sign-ins and resets
	// so that a flood of sign-ups cannot delay them.
	HashSignup(ctx context.Context, password string) (string, error)
	Verify(ctx context.Context, password, encoded string) (bool, error)
	// VerifyNothing costs what a failed Verify costs, for unknown accounts.
	VerifyNothing(ctx context.Context, password string) error
	// NeedsRehash reports whether encoded was made with parameters other
	// than those Hash uses now.
	NeedsRehash(encoded string) bool
	Check(password string, field []string) error
}

// Config holds the service's tunables; zero fields take DefaultConfig's.
type Config struct {
	// AccessTokenTTL is the lifetime of a new or renewed access token.
	AccessTokenTTL time.Duration
	// LoginPerIP limits sign-in attempts per client IP and shop.
	LoginPerIP storekeep.Limit
	// FailedLoginsPerEmail limits failed sign-ins per address and shop.
	FailedLoginsPerEmail storekeep.Limit
	// CreatePerIP limits customerCreate calls per client IP and shop.
	CreatePerIP storekeep.Limit
	// CreatePerShop is a shop's budget of customerCreate calls.
	CreatePerShop storekeep.Limit
	// AccountExistsPerEmail bounds the "someone tried to sign up with your
	// address" mails one address gets from a private shop.
	AccountExistsPerEmail storekeep.Limit
	// AddressChangesPerCustomer bounds how often one customer may create,
	// change or delete addresses or move their default, so that a
	// signed-in client cannot flood the audit trail.
	AddressChangesPerCustomer storekeep.Limit
	// EmailChangesPerCustomer bounds how often one customer may ask to
	// change their email address, to a taken address or not: each answer
	// tells whether the new address has an account, and each change mails
	// the former one.
	EmailChangesPerCustomer storekeep.Limit
	// PasswordChangesPerCustomer bounds how often one customer may change
	// their password through customerUpdate: each change is a password
	// hash and a "your password was changed" mail to the account's
	// address, and its answer is a new access token to change it again.
	PasswordChangesPerCustomer storekeep.Limit
	// EmailChangedPerEmail bounds the "your email address was changed"
	// notices one address gets from a shop, so that a client that moves
	// its account to someone's address and back cannot flood it.
	EmailChangedPerEmail storekeep.Limit
	// PasswordChangedPerEmail bounds the "your password was changed"
	// notices one address gets from a shop for changes through
	// customerUpdate: a sign-up proves no mailbox, so accounts opened one
	// after another under someone's address could each send it their
	// PasswordChangesPerCustomer. Past it a change is made unannounced.
	PasswordChangedPerEmail storekeep.Limit
	// SilentPasswordChange turns off the "your password was changed" mail
	// that is otherwise queued whenever a password changes.
	SilentPasswordChange bool
}

// DefaultConfig returns storekeep's defaults.
func DefaultConfig() Config {
	return Config{
		AccessTokenTTL:        30 * 24 * time.Hour,
		LoginPerIP:            storekeep.Limit{Count: 60, Per: time.Minute},
		FailedLoginsPerEmail:  storekeep.Limit{Count: 10, Per: 15 * time.Minute},
		CreatePerIP:           storekeep.Limit{Count: 10, Per: time.Hour},
		CreatePerShop:         storekeep.Limit{Count: 1000, Per: time.Hour},
		AccountExistsPerEmail: storekeep.Limit{Count: 1, Per: 6 * time.Hour},

		AddressChangesPerCustomer:  storekeep.Limit{Count: 60, Per: time.Hour},
		EmailChangesPerCustomer:    storekeep.Limit{Count: 5, Per: time.Hour},
		PasswordChangesPerCustomer: storekeep.Limit{Count: 5, Per: time.Hour},
		EmailChangedPerEmail:       storekeep.Limit{Count: 1, Per: 6 * time.Hour},
		PasswordChangedPerEmail:    storekeep.Limit{Count: 5, Per: time.Hour},
	}
}

// Validate refuses settings that cannot work, naming the serve flag that
// sets each.
func (c Config) Validate() error {
	return errors.Join(
		storekeep.CheckDuration("access token lifetime", c.AccessTokenTTL),
		storekeep.CheckLimit("sign-ins per IP", c.LoginPerIP),
		storekeep.CheckLimit("failed sign-ins per address", c.FailedLoginsPerEmail),
		storekeep.CheckLimit("--create-per-ip", c.CreatePerIP),
		storekeep.CheckLimit("--create-per-shop", c.CreatePerShop),
		storekeep.CheckLimit("account-exists notices per address", c.AccountExistsPerEmail),
		storekeep.CheckLimit("address changes per customer", c.AddressChangesPerCustomer),
		storekeep.CheckLimit("email changes per customer", c.EmailChangesPerCustomer),
		storekeep.CheckLimit("password changes per customer", c.PasswordChangesPerCustomer),
		storekeep.CheckLimit("email-changed notices per address", c.EmailChangedPerEmail),
		storekeep.CheckLimit("password-changed notices per address", c.PasswordChangedPerEmail),
	)
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.AccessTokenTTL == 0 {
		c.AccessTokenTTL = d.AccessTokenTTL
	}
	if c.LoginPerIP.Count == 0 {
		c.LoginPerIP = d.LoginPerIP
	}
	if c.FailedLoginsPerEmail.Count == 0 {
		c.FailedLoginsPerEmail = d.FailedLoginsPerEmail
	}
	if c.CreatePerIP.Count == 0 {
		c.CreatePerIP = d.CreatePerIP
	}
	if c.CreatePerShop.Count == 0 {
		c.CreatePerShop = d.CreatePerShop
	}
	if c.AddressChangesPerCustomer.Count == 0 {
		c.AddressChangesPerCustomer = d.AddressChangesPerCustomer
	}
	if c.AccountExistsPerEmail.Count == 0 {
		c.AccountExistsPerEmail = d.AccountExistsPerEmail
	}
	if c.EmailChangesPerCustomer.Count == 0 {
		c.EmailChangesPerCustomer = d.EmailChangesPerCustomer
	}
	if c.PasswordChangesPerCustomer.Count == 0 {
		c.PasswordChangesPerCustomer = d.PasswordChangesPerCustomer
	}
	if c.EmailChangedPerEmail.Count == 0 {
		c.EmailChangedPerEmail = d.EmailChangedPerEmail
	}
	if c.PasswordChangedPerEmail.Count == 0 {
		c.PasswordChangedPerEmail = d.PasswordChangedPerEmail
	}
	return c
}

// Deps are the Service's collaborators; Now and MailQueued are optional.
type Deps struct {
	Store      Store
	Limiter    storekeep.Limiter
	Keys       storekeep.Keyring
	Passwords  Passwords
	Now        storekeep.Clock
	MailQueued func()
}

// Service implements the account surface. It is safe for concurrent use.
type Service struct {
	Deps
	cfg Config
	// turns makes one node's sign-ins for one address take turns (see
	// Login), each address on one of len(turns) locks by its hash.
	turns [256]sync.Mutex
}

// New returns a Service.
func New(d Deps, cfg Config) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.MailQueued == nil {
		d.MailQueued = func() {}
	}
	return &Service{Deps: d, cfg: cfg.withDefaults()}
}

func (s *Service) clock() time.Time { return s.Now().UTC() }
