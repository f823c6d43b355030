package storekeep

import (
	"context"
	"time"
)

// ShopStore keeps shops and their Storefront API tokens.
type ShopStore interface {
	// CreateShop stores s with secrets, in one statement, and returns it
	// with ID and CreatedAt set; ErrConflict if the domain is taken.
	CreateShop(ctx context.Context, s Shop, secrets ShopSecrets) (Shop, error)
	// ShopByDomain returns the shop for domain, or ErrNotFound.
	ShopByDomain(ctx context.Context, domain string) (Shop, error)
	// ShopByID returns the shop with that id, or ErrNotFound.
	ShopByID(ctx context.Context, id int64) (Shop, error)
	// ShopOfCustomer returns the shop a customer belongs to (customer ids
	// are unique across shops), or ErrNotFound.
	ShopOfCustomer(ctx context.Context, customerID int64) (Shop, error)
	// UpdateShop replaces every field of a shop but its domain and ID,
	// and the secrets secrets sets, in one statement. ErrNotFound when
	// there is no such shop.
	UpdateShop(ctx context.Context, s Shop, secrets ShopSecrets) error
	// CreateAPIToken stores t (whose Hash is set) and returns it with ID.
	CreateAPIToken(ctx context.Context, t APIToken) (APIToken, error)
	// APITokenByHash returns the token whose hash is one of hashes, with its
	// shop, or ErrNotFound.
	APITokenByHash(ctx context.Context, hashes [][]byte) (APIToken, Shop, error)
	// APITokenHashes returns the hash of every shop's token.
	APITokenHashes(ctx context.Context) ([][]byte, error)
}

// APITokenAdminStore is what operators do with a shop's Storefront API
// tokens besides creating them; the API reads tokens through ShopStore.
type APITokenAdminStore interface {
	// APITokens lists a shop's tokens, oldest first, without their
	// hashes; none for an unknown shop.
	APITokens(ctx context.Context, shopID int64) ([]APIToken, error)
	// DeleteAPIToken deletes the shop's token with that id and records e
	// for the shop, its Detail set to the token's Label, in one
	// transaction, and returns the token without its hash. ErrNotFound,
	// and nothing changes, unless the token exists and is the shop's.
	DeleteAPIToken(ctx context.Context, shopID, id int64, e AuditEvent) (APIToken, error)
}

// CustomerStore keeps customer accounts.
type CustomerStore interface {
	// CreateCustomer stores c and queues jobs, in one transaction, and
	// returns c with ID set; ErrConflict when c.EmailKey is taken in the
	// shop.
	CreateCustomer(ctx context.Context, c Customer, jobs ...Job) (Customer, error)
	// ReserveCustomerID uses up the id the next CreateCustomer would get,
	// without storing a customer (no customer ever gets it), and queues
	// jobs, in one transaction.
	ReserveCustomerID(ctx context.Context, jobs ...Job) (int64, error)
	// CustomerByID returns a shop's customer, or ErrNotFound.
	CustomerByID(ctx context.Context, shopID, id int64) (Customer, error)
	// CustomerByEmail returns the customer with EmailKey key, or ErrNotFound.
	CustomerByEmail(ctx context.Context, shopID int64, key string) (Customer, error)
	// CustomersByEmail returns the shop's customers whose EmailKey is one
	// of keys, in no particular order; keys no customer has are left out.
	CustomersByEmail(ctx context.Context, shopID int64, keys []string) ([]Customer, error)
	// ReplacePasswordHash sets a customer's password hash to newHash if it
	// is still old, leaving every other field as it is but Version, to
	// which it adds one; ErrNotFound when it is not (the password changed
	// meanwhile) or the customer is gone.
	ReplacePasswordHash(ctx context.Context, shopID, id int64, old, newHash string) error
	// UpdateCustomer applies u in one transaction; ErrConflict when the new
	// email is taken, ErrNotFound when the customer is gone, ErrStale when
	// it has been written since u.Read was read. The customer's
	// EmailVerifiedAt is not taken from u.Customer: it stays while the
	// EmailKey stays, is cleared when it changes, and is set by
	// u.VerifyEmail.
	UpdateCustomer(ctx context.Context, u CustomerUpdate) (Customer, error)
}

// CustomerUpdate replaces a customer's profile and, with it, optionally
// rotates its access tokens and queues mail, all atomically.
type CustomerUpdate struct {
	Customer Customer
	// Read is the customer as the caller read it before making Customer
	// from it. The update is applied only while the stored customer still
	// has Read's Version, which every write of a customer changes, even
	// two stamped with one UpdatedAt (and Read's PasswordHash, State and
	// UpdatedAt, which the writes of a release from before the Version
	// change); otherwise nothing changes, so that an update made from a
	// read another write has overtaken never puts back what that write
	// replaced (a name, an email address, a password or a state).
	// Customer's Version is not used: the store adds one to the stored
	// one.
	Read Customer
	// AccessToken, when not nil, is stored after every earlier access token
	// of the customer has been revoked.
	AccessToken *AccessToken
	// Mails are queued in the same transaction.
	Mails []Mail
	// Audit events are recorded in the same transaction.
	Audit []AuditEvent
	// VerifyEmail says the caller has proof that the customer owns the
	// updated address. Without it an update that changes the EmailKey
	// leaves the address unverified. Either way such an update spends the
	// customer's unused reset and activation tokens, which were mailed to
	// the former address.
	VerifyEmail bool
}

// AddressStore keeps customers' address books. Every change records its
// audit event in the same transaction. A customer with addresses has
// exactly one default address.
type AddressStore interface {
	// CreateAddress stores a for its customer and returns it with ID set.
	// The customer's first address becomes its default, and so does a when
	// a.Default is set. ErrNotFound when the customer is not the shop's;
	// ErrLimit when the customer has max addresses already.
	CreateAddress(ctx context.Context, a MailingAddress, max int, e AuditEvent) (MailingAddress, error)
	// CreateAddressOnce is CreateAddress unless the customer holds an
	// address that is a.Same already: that one is returned, unchanged, with
	// created false. The check is made under the customer's row lock, so
	// concurrent calls with one address store it once.
	CreateAddressOnce(ctx context.Context, a MailingAddress, max int, e AuditEvent) (_ MailingAddress, created bool, _ error)
	// UpdateAddress replaces every field of a but its ids, Default and
	// CreatedAt, while the stored address still reads as read (the address
	// a was made from), checked under the customer's row lock; ErrStale
	// when it has changed since, ErrNotFound unless a is an address of
	// that customer of that shop.
	UpdateAddress(ctx context.Context, a, read MailingAddress, e AuditEvent) (MailingAddress, error)
	// DeleteAddress deletes a customer's address; ErrNotFound unless it is
	// theirs. When it was the default, the customer's most recently
	// updated address becomes the default.
	DeleteAddress(ctx context.Context, shopID, customerID, id int64, e AuditEvent) error
	// SetDefaultAddress makes a customer's address their default;
	// ErrNotFound unless it is theirs.
	SetDefaultAddress(ctx context.Context, shopID, customerID, id int64, e AuditEvent) error
	// Address returns one of a customer's addresses, or ErrNotFound.
	Address(ctx context.Context, shopID, customerID, id int64) (MailingAddress, error)
	// Addresses lists a customer's addresses in the order they were
	// created.
	Addresses(ctx context.Context, shopID, customerID int64) ([]MailingAddress, error)
}

// MultipassStore keeps what Multipass sign-in needs: each shop's secret,
// sealed at rest, the tokens already used, and customers' Multipass
// identifiers: their ids in the shop's own sign-in system, unique per
// shop, one per customer at most.
type MultipassStore interface {
	// MultipassSecret returns a shop's Multipass secret, opened, or "" when
	// it has none.
	MultipassSecret(ctx context.Context, shopID int64) (string, error)
	// SpendMultipassToken records that the shop's token whose keyed hashes
	// (one per server key) are hashes is used, until expiresAt or, where
	// the database keeps coarser times, the next instant it keeps. ErrTokenSpent when one of
	// hashes is recorded already and unexpired at now; of concurrent spends
	// of one token exactly one succeeds. Records expired at now are deleted.
	SpendMultipassToken(ctx context.Context, shopID int64, hashes [][]byte, expiresAt, now time.Time) error
	// CustomerByMultipassIdentifier returns the shop's customer with that
	// identifier, or ErrNotFound.
	CustomerByMultipassIdentifier(ctx context.Context, shopID int64, identifier string) (Customer, error)
	// MultipassIdentifier returns a customer's identifier, "" when it has
	// none.
	MultipassIdentifier(ctx context.Context, shopID, customerID int64) (string, error)
	// SetMultipassIdentifier gives the shop's customer identifier in place
	// of any it had ("" removes it); ErrConflict when another customer of
	// the shop has it, ErrNotFound when the customer is not the shop's.
	SetMultipassIdentifier(ctx context.Context, shopID, customerID int64, identifier string) error
}

// AccessTokenStore keeps CustomerAccessTokens.
type AccessTokenStore interface {
	// CreateAccessToken stores t and returns it with ID set, and deletes
	// the customer's oldest unrevoked tokens beyond the newest
	// MaxAccessTokensPerCustomer, in one transaction. With verified, the
	// password hash the sign-in checked, t is stored only while that is
	// still the customer's hash (read under the customer's row lock), else
	// ErrStale: a password change or reset that commits while the sign-in
	// runs revokes the tokens stored before it, and this one too.
	CreateAccessToken(ctx context.Context, t AccessToken, verified string) (AccessToken, error)
	// AccessTokenByHash returns the shop's unrevoked token whose hash is one of
	// hashes and that has not expired at now, or ErrNotFound.
	AccessTokenByHash(ctx context.Context, shopID int64, hashes [][]byte, now time.Time) (AccessToken, error)
	// RenewAccessToken sets a live token's expiry; ErrNotFound if it is
	// revoked or expired at now.
	RenewAccessToken(ctx context.Context, id int64, expiresAt, now time.Time) error
	// RevokeAccessToken revokes the token with that id, deleting it;
	// ErrNotFound if it was already revoked.
	RevokeAccessToken(ctx context.Context, id int64) error
}

// CustomerTokenStore keeps one-time reset and activation tokens.
type CustomerTokenStore interface {
	// IssueCustomerToken, in one transaction, voids the customer's unused
	// tokens of the same purpose, stores t, queues m and records a. When job
	// is not 0 it is the pending outbox job (a JobRecover) this issue
	// completes: the same transaction marks it sent, and if it is no longer
	// pending nothing changes and ErrJobDone is returned, so that a job run
	// twice issues once. ErrNotFound, and nothing changes, when m.To is no
	// longer the customer's Email: a link proves the mailbox it went to.
	IssueCustomerToken(ctx context.Context, t CustomerToken, m Mail, a AuditEvent, job int64) error
	// FinishJobs writes a batch of jobs' outcomes in one transaction. For
	// each outcome whose job is still pending it marks the job sent,
	// records its audit event and, when it has a token, does what
	// IssueCustomerToken does with the mail queued already leased until
	// leaseUntil, for the caller to send without claiming it. An outcome
	// whose job is no longer pending (it ran twice) changes nothing, and of
	// outcomes naming one job the first counts. It returns the mail it
	// queued, with IDs and one attempt counted.
	// Concurrent calls with customers in common complete one after the
	// other.
	FinishJobs(ctx context.Context, outcomes []JobOutcome, leaseUntil time.Time) ([]Mail, error)
	// CustomerTokenByHash returns the unused token of that purpose of the
	// shop's customer customerID whose hash is one of hashes, or
	// ErrNotFound. It reads only that customer's open tokens: a token is
	// found through the customer its link names, never by its hash alone.
	// Expired tokens are returned; the caller judges expiry with its clock.
	CustomerTokenByHash(ctx context.Context, shopID, customerID int64, purpose TokenPurpose, hashes [][]byte) (CustomerToken, error)
	// RedeemCustomerToken, in one transaction: marks r.Token used if it is
	// still unused and unexpired at r.Now (else ErrTokenSpent and nothing
	// changes), spends the customer's other tokens of that purpose and its
	// reset tokens (a new password voids the reset links mailed before it;
	// an activation link left once the customer is enabled only answers
	// that it is), sets the password, enables the account and marks its address verified (the
	// link was mailed to it), revokes every access token of the
	// customer, stores r.AccessToken, queues r.Mail and records r.Audit. It
	// returns the updated customer. Of concurrent redemptions of one token
	// exactly one succeeds. A customer disabled since the token was checked
	// is not enabled again: nothing changes and the error is ErrTokenSpent.
	RedeemCustomerToken(ctx context.Context, r Redemption) (Customer, error)
	// PruneTokens deletes up to limit of the access tokens that expired
	// before cutoff, then, while fewer went, of the customer tokens that
	// did, and returns how many went.
	PruneTokens(ctx context.Context, cutoff time.Time, limit int) (int, error)
}

// OutboxStore is the durable queue of outgoing mail and of the jobs that
// make mail. Mail and jobs are rows of one queue: the Mark, List, Retry and
// Prune methods take either's ID.
type OutboxStore interface {
	// EnqueueMail queues m and returns its ID.
	EnqueueMail(ctx context.Context, m Mail) (int64, error)
	// EnqueueJob queues j, due at j.DueAt (j.CreatedAt when zero), and
	// returns its ID. With a j.LeasedUntil it is queued as if claimed until
	// then, with one attempt counted.
	EnqueueJob(ctx context.Context, j Job) (int64, error)
	// Claim leases up to limit pending rows due at now to the caller until
	// now+lease, incrementing their Attempts. A row whose lease ran out may
	// be claimed again. No row is leased to two callers at once. Due mail
	// comes before due jobs, each oldest first: a job makes its mail when
	// it runs, so claiming in arrival order alone would hold every new mail
	// behind the whole backlog of jobs. Due JobInvite jobs come last, so
	// that the invitations of an import wait for every other row.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) (Claimed, error)
	// MarkMailsSent records delivery of each mail of ids that is pending,
	// and erases its data, in one write, and returns how many were.
	MarkMailsSent(ctx context.Context, ids []int64, now time.Time) (int, error)
	// MarkMailRetry releases a claim and schedules the next attempt at next.
	MarkMailRetry(ctx context.Context, id int64, next time.Time, lastError string) error
	// MarkMailFailed gives up on a mail. Its data stays sealed in the row
	// so that RetryMail can send it again.
	MarkMailFailed(ctx context.Context, id int64, now time.Time, lastError string) error
	// OutboxStats reports how many outbox rows are pending, counted up to
	// upTo (upTo means at least that many), and when the oldest of them was
	// queued (zero time when none), at a cost bounded by upTo whatever the
	// backlog. Every kind counts: mails, and the jobs that make them
	// (recover requests, invitations, paced ones due later too), since
	// each is work the outbox has yet to do.
	OutboxStats(ctx context.Context, upTo int) (pending int, oldest time.Time, err error)
	// OldestDue returns when the mail or job that has waited longest for
	// a worker fell due: the earliest due time, at or before now, of the
	// pending mail and jobs that no claim holds (zero time when none
	// waits). Invitations, paced on purpose, and rows leased to a worker
	// are left out. It reads the first entries of the due indexes past
	// the leased rows, whatever the backlog.
	OldestDue(ctx context.Context, now time.Time) (time.Time, error)
	// ListMail lists mail with that status (every status when empty),
	// newest first, without its data.
	ListMail(ctx context.Context, status MailStatus, limit int) ([]MailRecord, error)
	// RetryMail makes a failed mail pending again, due at now, with its
	// attempts reset; ErrNotFound unless the mail exists and has failed.
	RetryMail(ctx context.Context, id int64, now time.Time) error
	// PruneMail deletes up to limit of the mails sent before cutoff, oldest
	// first, then, while fewer went, mail given up (failed) before cutoff,
	// and returns how many rows went.
	PruneMail(ctx context.Context, cutoff time.Time, limit int) (int, error)
}

// MailRecord is an outbox row as operators see it: never its data.
type MailRecord struct {
	ID     int64
	ShopID int64
	To     string
	// Template is a mail's; Job a job's kind.
	Template  Template
	Job       JobKind
	MessageID string
	Status    MailStatus
	Attempts  int
	LastError string
	CreatedAt time.Time
	SentAt    time.Time
}

// MailboxStore is the development mailbox.
type MailboxStore interface {
	// SaveMailboxMessage stores m and returns it with ID set.
	SaveMailboxMessage(ctx context.Context, m MailboxMessage) (MailboxMessage, error)
	// MailboxMessages lists messages newest first, only those to the address
	// to when it is not empty (compared case-insensitively).
	MailboxMessages(ctx context.Context, to string, limit int) ([]MailboxMessage, error)
	// MailboxMessage returns one message or ErrNotFound.
	MailboxMessage(ctx context.Context, id int64) (MailboxMessage, error)
	// ClearMailbox deletes every message.
	ClearMailbox(ctx context.Context) error
}

// AuditStore keeps the security audit trail.
type AuditStore interface {
	// RecordAudit stores e, or folds it into the shop's stored event with
	// the same RepeatKey when it has one.
	RecordAudit(ctx context.Context, e AuditEvent) error
	// AuditEvents lists a shop's events newest first (every shop's when
	// shopID is 0).
	AuditEvents(ctx context.Context, shopID int64, limit int) ([]AuditEvent, error)
	// PruneAudit deletes up to limit of the events that happened before
	// cutoff, oldest first, and returns how many it deleted.
	PruneAudit(ctx context.Context, cutoff time.Time, limit int) (int, error)
}

// KeyCheckStore remembers which server keys have written to the database:
// a check value (a keyed hash of a fixed label) per key, so that a node
// started with none of those keys notices before it reads or writes.
type KeyCheckStore interface {
	// KeyChecks returns the stored check values, oldest first.
	KeyChecks(ctx context.Context) ([][]byte, error)
	// AddKeyCheck stores check unless it is stored already.
	AddKeyCheck(ctx context.Context, check []byte, now time.Time) error
	// CheckShopSecrets fails, naming the shops, when a shop's sealed
	// secret opens with none of the keys.
	CheckShopSecrets(ctx context.Context) error
	// ResealShopSecrets seals again under the newest key every shop
	// secret an older key sealed and returns how many; it changes nothing
	// when CheckShopSecrets fails.
	ResealShopSecrets(ctx context.Context) (int, error)
}

// Store is everything a storage backend implements. The conformance suite
// in internal/store/storetest holds every backend to it.
type Store interface {
	ShopStore
	APITokenAdminStore
	CustomerStore
	AddressStore
	MultipassStore
	AccessTokenStore
	CustomerTokenStore
	OutboxStore
	MailboxStore
	AuditStore
	KeyCheckStore
	OrderStore
	// Ping reports whether the database answers and its schema is current.
	Ping(ctx context.Context) error
	Close() error
}

// Keyring makes random tokens and recognises them by keyed hash.
type Keyring interface {
	// NewToken returns 32 random bytes, URL-safe encoded.
	NewToken() (string, error)
	// Hash is token's keyed hash under the newest key.
	Hash(token string) []byte
	// Hashes are token's keyed hashes under every key, newest first.
	Hashes(token string) [][]byte
	// Matches reports in constant time whether stored is token's hash
	// under any key.
	Matches(token string, stored []byte) bool
}

// Sealer encrypts data at rest, such as queued mail that carries a link.
type Sealer interface {
	Seal(plaintext []byte) ([]byte, error)
	Open(ciphertext []byte) ([]byte, error)
	// Current reports whether the newest key sealed ciphertext.
	Current(ciphertext []byte) bool
}
