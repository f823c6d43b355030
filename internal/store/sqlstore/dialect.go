package sqlstore

import (
	"fmt"
	"strings"
	"time"
)

// Dialect is what differs between the databases the store runs on.
type Dialect struct {
	// Name prefixes the store's errors.
	Name string
	// Time encodes a time as its columns store it. Times read back are
	// decoded by scanTime, whichever way they were stored.
	Time func(time.Time) any
	// Precision is the finest time the database keeps.
	Precision time.Duration
	// NoLimit is the LIMIT argument that means no limit.
	NoLimit any
	// ListIn is the condition that column is one of the values of a list
	// parameter param, and List encodes that list, an []int64 or a
	// []string; the statement is the same whatever the list's length.
	ListIn func(column, param string) string
	List   func(values any) (any, error)
	// PlanEach leads the arguments of a statement whose good plan depends
	// on its parameters and on the size its tables have grown to since
	// the connection first ran it, so that the database plans it at each
	// execution rather than keep a plan made once (see planEach).
	PlanEach []any
	// Table is a FROM item named v whose rows are passed as parameters
	// from $first on, with cols for columns, and the arguments to pass;
	// the statement is the same whatever the number of rows (UnnestTable,
	// JSONTable).
	Table func(first int, cols []Column) (from string, args []any, err error)
	// HashIn is the condition that column is one of hashes, whose
	// parameters start at $n, with the arguments to append.
	HashIn func(column string, n int, hashes [][]byte) (string, []any)
	// LockCustomer, when not empty, takes the row lock of customer $1 for
	// the rest of the transaction (see lockCustomer).
	LockCustomer string
	// LockCustomers returns the id, shop_id and email of the customers of
	// the list parameter $1, having taken their row locks in the order of
	// their ids where the dialect has row locks.
	LockCustomers string
	// ClaimMail, ClaimJobs and ClaimInvites lease due mail, due jobs but
	// invitations, and due invitations ($1: lease end, $2: now, $3:
	// limit), returning claimColumns.
	ClaimMail, ClaimJobs, ClaimInvites string
	// OldestDue selects the first due times ($1: now) of unclaimed mail
	// and of unclaimed jobs, each from its due index (OldestDueStatement).
	OldestDue string
	// ReserveCustomerID are statements run in one transaction that use up
	// the next customer id, the last one returning it.
	ReserveCustomerID []string
	// IDsFrom is the condition that id is one of the ids subquery
	// returns, in the form the database plans as look-ups of the primary
	// key whatever the subquery's LIMIT.
	IDsFrom func(subquery string) string
	// IsConflict reports whether err is a broken uniqueness rule.
	IsConflict func(error) bool
	// Series returns what generates the integers i from the parameters lo
	// to hi: a WITH clause to put before the INSERT (or "") and the FROM
	// item, for SeedHistory.
	Series func(lo, hi string) (with, from string)
	// SeedTime is the time micros microseconds after the time parameter
	// base; SeedHash a distinct 32-byte hash for row i.
	SeedTime func(base, micros string) string
	SeedHash func(i string) string
	// LimitEachHalf gives each half of a customer's orders (see
	// customerOrderHalves) the page's ORDER BY and LIMIT of its own, for a
	// database that would otherwise read every matching order of both
	// halves and sort them for one page (PostgreSQL); SQLite merges the
	// halves in order by itself.
	LimitEachHalf bool
	// Analyze, when not empty, is the statement that, followed by a list
	// of tables, refreshes their planner statistics after a bulk load.
	Analyze string
	// Now selects the time by the database server's clock.
	Now string
}

// HashInList is Dialect.HashIn for a database without array parameters:
// one parameter per hash.
func HashInList(column string, n int, hashes [][]byte) (string, []any) {
	params := make([]string, len(hashes))
	args := make([]any, len(hashes))
	for i, h := range hashes {
		params[i], args[i] = fmt.Sprintf("$%d", n+i), h
	}
	return column + " IN (" + strings.Join(params, ", ") + ")", args
}

// HashAny is Dialect.HashIn for a database with array parameters.
func HashAny(column string, n int, hashes [][]byte) (string, []any) {
	return fmt.Sprintf("%s = ANY($%d)", column, n), []any{hashes}
}

// claimColumns are the columns a claim returns, in claim's order.
const claimColumns = `id, shop_id, kind, recipient, template, locale, data, message_id, attempts, created_at`

// OldestDueStatement selects the earliest due time at $1 of the pending
// mail and of the pending jobs that no claim holds, as two columns, each
// read from mailFrom and jobFrom (the outbox, with any index hint).
func OldestDueStatement(mailFrom, jobFrom string) string {
	first := func(from, which string) string {
		return `(SELECT next_attempt_at FROM ` + from + `
			WHERE status = 'pending' AND ` + which + `
				AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
			ORDER BY next_attempt_at LIMIT 1)`
	}
	return `SELECT ` + first(mailFrom, DueMail) + `, ` + first(jobFrom, DueJob)
}

// ClaimStatement is a claim of due pending rows of the outbox that match
// which (DueMail or DueJob), for dialects to finish: from names the outbox
// (with any index hint) and lock is appended to the inner SELECT.
func ClaimStatement(from, which, lock string) string {
	return `UPDATE outbox SET attempts = attempts + 1, claimed_until = $1
		WHERE id IN (
			SELECT id FROM ` + from + `
			WHERE status = 'pending' AND ` + which + `
				AND next_attempt_at <= $2 AND (claimed_until IS NULL OR claimed_until <= $2)
			ORDER BY next_attempt_at, id LIMIT $3` + lock + `)
		RETURNING ` + claimColumns
}

// The conditions that tell mail, jobs and invitations apart, literal so
// that each claim's partial index applies.
const (
	DueMail   = `kind = 'mail'`
	DueJob    = `kind <> 'mail' AND kind <> 'invite'`
	DueInvite = `kind = 'invite'`
)
