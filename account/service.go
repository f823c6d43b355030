package account

import (
	"context"
	"time"

	"github.com/storekeep/storekeep"
)

// Store is the storage the service needs.
type Store interface {
	storekeep.CustomerStore
	storekeep.AddressStore
	storekeep.AccessTokenStore
	storekeep.AuditStore
}

// Passwords hashes, verifies and judges passwords.
type Passwords interface {
	Hash(ctx context.Context, password string) (string, error)
	Verify(ctx context.Context, password, encoded string) (bool, error)
	// VerifyNothing costs what a failed Verify costs, for unknown accounts.
	VerifyNothing(ctx context.Context, password string) error
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
	// SilentPasswordChange turns off the "your password was changed" mail
	// that is otherwise queued whenever a password changes.
	SilentPasswordChange bool
}

// DefaultConfig returns storekeep's defaults.
func DefaultConfig() Config {
	return Config{
		AccessTokenTTL:       30 * 24 * time.Hour,
		LoginPerIP:           storekeep.Limit{Count: 60, Per: time.Minute},
		FailedLoginsPerEmail: storekeep.Limit{Count: 10, Per: 15 * time.Minute},
	}
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
