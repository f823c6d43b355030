package storekeep

import "time"

// MaxAccessTokensPerCustomer bounds how many unrevoked access tokens one
// customer keeps: a sign-in past it ends the customer's oldest session, so that a
// client signing in again and again cannot fill the database (each token
// is otherwise kept for its lifetime and the grace after it).
const MaxAccessTokensPerCustomer = 100

// AccessToken is a CustomerAccessToken. Hash is the keyed hash of the
// opaque string the customer holds; the string itself is never stored.
type AccessToken struct {
	ID         int64
	ShopID     int64
	CustomerID int64
	Hash       []byte
	ExpiresAt  time.Time
	CreatedAt  time.Time
}

// TokenPurpose names what a one-time customer token is for.
type TokenPurpose string

const (
	// PurposeReset tokens are mailed by customerRecover.
	PurposeReset TokenPurpose = "reset"
	// PurposeActivation tokens are mailed to invited customers.
	PurposeActivation TokenPurpose = "activation"
)

// CustomerToken is a one-time token mailed to a customer. Only its keyed
// hash is stored.
type CustomerToken struct {
	ID         int64
	ShopID     int64
	CustomerID int64
	Purpose    TokenPurpose
	Hash       []byte
	ExpiresAt  time.Time
	CreatedAt  time.Time
}

// Redemption is everything that happens, atomically, when a one-time token
// is exchanged for a new password.
type Redemption struct {
	Token        CustomerToken
	PasswordHash string
	Now          time.Time
	// AccessToken is the new CustomerAccessToken to store; every earlier
	// access token of the customer is revoked.
	AccessToken AccessToken
	// Mail, when not nil, is queued in the same transaction.
	Mail  *Mail
	Audit AuditEvent
}

// IssuedAccessToken is a CustomerAccessToken as handed to the customer: the
// only moment its clear value exists.
type IssuedAccessToken struct {
	Token     string
	ExpiresAt time.Time
}

// NewAccessToken makes a customer access token valid for ttl from now: the
// record to store and the value to hand out.
func NewAccessToken(keys Keyring, shopID, customerID int64, now time.Time, ttl time.Duration) (AccessToken, IssuedAccessToken, error) {
	value, err := keys.NewToken()
	if err != nil {
		return AccessToken{}, IssuedAccessToken{}, err
	}
	t := AccessToken{
		ShopID:     shopID,
		CustomerID: customerID,
		Hash:       keys.Hash(value),
		ExpiresAt:  now.Add(ttl),
		CreatedAt:  now,
	}
	return t, IssuedAccessToken{Token: value, ExpiresAt: t.ExpiresAt}, nil
}
