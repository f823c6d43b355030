package storekeep

import "time"

// JobKind names a kind of work queued in the outbox beside mail.
type JobKind string

// JobRecover finishes a private-mode customerRecover answered before its
// address was looked up: the worker hands it to the recovery flow, which
// issues the reset mail if the address has an account.
const JobRecover JobKind = "recover"

// JobInvite sends an imported customer their invitation: the worker hands
// it to the recovery flow, which issues the activation token and queues
// the mail if the customer is still invited. Invitations are claimed after
// due mail and due jobs of every other kind, so that a bulk import never
// holds up the mail customers are waiting for.
const JobInvite JobKind = "invite"

// JobOrdersWaiting follows a sign-up: the worker hands it to the recovery
// flow, which mails the address a reset link, proving the mailbox, when
// orders placed with the address wait for it and the account has not
// proved it. Its payload is Recover, like a JobRecover's.
const JobOrdersWaiting JobKind = "orders_waiting"

// JobAccountExists follows a private-mode sign-up with an address that
// already has an account: the worker hands it to the account service,
// which mails the owner an account_exists notice unless the account is
// disabled or was told recently. Queuing it is the same write whoever owns
// the address, so the answer's time says nothing of the owner. Its payload
// is Recover, like a JobRecover's.
const JobAccountExists JobKind = "account_exists"

// Job is work queued in the outbox. It is claimed after due mail, retried
// like mail, and its payload is sealed at rest like mail data.
type Job struct {
	ID     int64
	ShopID int64
	Kind   JobKind
	// Locale is the caller's, for the mail the job may queue.
	Locale string
	// Recover is the payload of a JobRecover, JobOrdersWaiting or
	// JobAccountExists.
	Recover RecoverRequest
	// Invite is a JobInvite's payload.
	Invite    InviteRequest
	Attempts  int
	CreatedAt time.Time
	// DueAt is when the job may run first; CreatedAt when zero.
	DueAt time.Time
	// LeasedUntil, when not zero, queues the job leased to its caller
	// until then with one attempt counted, as a claim would: the caller
	// runs it, and no claim takes it before the lease runs out.
	LeasedUntil time.Time
}

// InviteRequest is an invitation to send.
type InviteRequest struct {
	CustomerID int64 `json:"customer_id"`
	// Email is the customer's address, shown in the outbox listing.
	Email string `json:"-"`
}

// RecoverRequest is a customerRecover to finish.
type RecoverRequest struct {
	// Email is the normalised address.
	Email string `json:"-"`
	// IP and UserAgent are the caller's, for the audit trail.
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
}

// Claimed is a batch leased from the outbox: due mail, then due jobs,
// then due invitations, each oldest first.
type Claimed struct {
	Mail []Mail
	Jobs []Job
}

// Len is how many outbox rows the batch holds.
func (c Claimed) Len() int { return len(c.Mail) + len(c.Jobs) }

// JobOutcome is the work a finished job leaves to be written: the audit
// event it records and, when it issues a token, the token and its mail.
type JobOutcome struct {
	Job   int64
	Audit AuditEvent
	// Token is nil when the job issues none (an unknown or disabled
	// address); Mail is then ignored.
	Token *CustomerToken
	Mail  Mail
}
