package recovery

import (
	"errors"
	"fmt"
	"time"

	"github.com/storekeep/storekeep"
)

// Config holds the flow's tunables. Zero fields take the defaults of
// DefaultConfig.
type Config struct {
	// ResetTokenTTL is how long a reset link stays valid.
	ResetTokenTTL time.Duration
	// ActivationTokenTTL is how long an activation link stays valid.
	ActivationTokenTTL time.Duration
	// RecoverPerIP limits customerRecover calls per client IP and shop.
	RecoverPerIP storekeep.Limit
	// RecoverPerEmail limits customerRecover calls per normalised address,
	// whether or not an account has it.
	RecoverPerEmail storekeep.Limit
	// RecoverPerShop is a shop's budget of reset requests.
	RecoverPerShop storekeep.Limit
	// FailedTokensPerCustomer bounds bad tokens submitted for one customer;
	// a new token does not reset the count.
	FailedTokensPerCustomer storekeep.Limit
	// FailedTokensPerIP bounds bad tokens submitted from one client IP.
	FailedTokensPerIP storekeep.Limit
	// OrdersWaitingPerEmail bounds the orders_waiting mails one address
	// gets from a shop: each sign-up under it may queue one, and a client
	// can open account after account under an address it does not own.
	OrdersWaitingPerEmail storekeep.Limit
	// DefaultStorefrontURL is the base of the links of shops without a
	// storefront URL (https://<domain> when empty).
	DefaultStorefrontURL string
}

// DefaultConfig returns storekeep's defaults.
func DefaultConfig() Config {
	return Config{
		ResetTokenTTL:           24 * time.Hour,
		ActivationTokenTTL:      30 * 24 * time.Hour,
		RecoverPerIP:            storekeep.Limit{Count: 20, Per: 10 * time.Minute},
		RecoverPerEmail:         storekeep.Limit{Count: 3, Per: 15 * time.Minute},
		RecoverPerShop:          storekeep.Limit{Count: 5000, Per: time.Hour},
		FailedTokensPerCustomer: storekeep.Limit{Count: 10, Per: time.Hour},
		FailedTokensPerIP:       storekeep.Limit{Count: 100, Per: time.Hour},
		OrdersWaitingPerEmail:   storekeep.Limit{Count: 1, Per: 6 * time.Hour},
	}
}

// Validate refuses settings that cannot work, naming the serve flag that
// sets each: links born expired, limits that allow nothing.
func (c Config) Validate() error {
	return errors.Join(
		storekeep.CheckDuration("--reset-token-ttl", c.ResetTokenTTL),
		wholeHours("--reset-token-ttl", c.ResetTokenTTL),
		storekeep.CheckDuration("activation token lifetime", c.ActivationTokenTTL),
		storekeep.CheckLimit("--recover-per-ip", c.RecoverPerIP),
		storekeep.CheckLimit("--recover-per-email", c.RecoverPerEmail),
		storekeep.CheckLimit("--recover-per-shop", c.RecoverPerShop),
		storekeep.CheckLimit("failed tokens per customer", c.FailedTokensPerCustomer),
		storekeep.CheckLimit("failed tokens per IP", c.FailedTokensPerIP),
		storekeep.CheckLimit("orders-waiting mails per address", c.OrdersWaitingPerEmail),
	)
}

// wholeHours refuses a link lifetime that is not a whole number of hours:
// the mail says in how many hours the link expires, and that must be
// true.
func wholeHours(name string, d time.Duration) error {
	if d > 0 && d%time.Hour != 0 {
		return fmt.Errorf("%s must be a whole number of hours, such as 1h or 24h (the mail says in how many hours the link expires), not %s", name, d)
	}
	return nil
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.ResetTokenTTL == 0 {
		c.ResetTokenTTL = d.ResetTokenTTL
	}
	if c.ActivationTokenTTL == 0 {
		c.ActivationTokenTTL = d.ActivationTokenTTL
	}
	if c.RecoverPerIP.Count == 0 {
		c.RecoverPerIP = d.RecoverPerIP
	}
	if c.RecoverPerEmail.Count == 0 {
		c.RecoverPerEmail = d.RecoverPerEmail
	}
	if c.RecoverPerShop.Count == 0 {
		c.RecoverPerShop = d.RecoverPerShop
	}
	if c.FailedTokensPerCustomer.Count == 0 {
		c.FailedTokensPerCustomer = d.FailedTokensPerCustomer
	}
	if c.FailedTokensPerIP.Count == 0 {
		c.FailedTokensPerIP = d.FailedTokensPerIP
	}
	if c.OrdersWaitingPerEmail.Count == 0 {
		c.OrdersWaitingPerEmail = d.OrdersWaitingPerEmail
	}
	return c
}
