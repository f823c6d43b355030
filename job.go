package storekeep

import "time"

// JobKind names a kind of work queued in the outbox beside mail.
type JobKind string

// JobRecover finishes a private-mode customerRecover answered before its
// address was looked up: the worker hands it to the recovery flow, which
// issues the reset mail if the address has an account.
const JobRecover JobKind = "recover"

// Job is work queued in the outbox. It is claimed after due mail, retried
// like mail, and its payload is sealed at rest like mail data.
type Job struct {
	ID     int64
	ShopID int64
	Kind   JobKind
	// Locale is the caller's, for the mail the job may queue.
	Locale string
	// Recover is a JobRecover's payload.
	Recover   RecoverRequest
	Attempts  int
	CreatedAt time.Time
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
// each oldest first.
type Claimed struct {
	Mail []Mail
	Jobs []Job
}

// Len is how many outbox rows the batch holds.
func (c Claimed) Len() int { return len(c.Mail) + len(c.Jobs) }
