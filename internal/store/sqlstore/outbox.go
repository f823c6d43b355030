package sqlstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/storekeep/storekeep"
)

// insertMail queues m, due at once. Its Data is sealed.
func (s *Store) insertMail(ctx context.Context, q Querier, m storekeep.Mail) (int64, error) {
	row, err := s.mailRow(m)
	if err != nil {
		return 0, err
	}
	return s.insert(ctx, q, row)
}

// EnqueueMail queues m, due at once, and returns its ID, in one write
// with the other rows queued meanwhile (see enqueue).
func (s *Store) EnqueueMail(ctx context.Context, m storekeep.Mail) (int64, error) {
	row, err := s.mailRow(m)
	if err != nil {
		return 0, err
	}
	return s.enqueue.Do(ctx, row)
}

// EnqueueJob queues j, due at once, and returns its ID, in one write with
// the other rows queued meanwhile (see enqueue). Its payload is sealed.
func (s *Store) EnqueueJob(ctx context.Context, j storekeep.Job) (int64, error) {
	row, err := s.jobRow(j)
	if err != nil {
		return 0, err
	}
	return s.enqueue.Do(ctx, row)
}

func (s *Store) enqueueJob(ctx context.Context, q Querier, j storekeep.Job) (int64, error) {
	row, err := s.jobRow(j)
	if err != nil {
		return 0, err
	}
	return s.insert(ctx, q, row)
}

// hasStatus is the condition that an outbox row looked up by id has
// status st, written so that no planner walks outbox_listing's rows of
// that status instead of looking the id up: the statistics of an outbox
// analyzed while idle make pending rows look rare, and PostgreSQL then
// preferred the walk, whose cost grows with the backlog.
func hasStatus(st storekeep.MailStatus) string { return "status || '' = '" + string(st) + "'" }

// unsealable is the last_error of a row that Claim failed because its data
// no longer opens, for instance once its key left the ring.
const unsealable = "data cannot be unsealed"

// Claim leases up to limit due pending rows until now+lease and returns
// them with their data opened: due mail, then due jobs, then due
// invitations, each in the order they fall due.
//
// Where many nodes claim at once, the dialect's claims lock the rows they
// pick and pass over rows another claim has locked (FOR UPDATE SKIP
// LOCKED), so concurrent claims take disjoint batches without waiting for
// one another; once a claim commits, its rows carry a claimed_until in the
// future and no longer qualify until that lease runs out, when a stuck
// claim becomes claimable again. A claimed row whose data does not open
// is marked failed with last_error unsealable in the same transaction and
// left out; the rest of the batch is returned.
func (s *Store) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) (storekeep.Claimed, error) {
	var out storekeep.Claimed
	if limit <= 0 {
		return out, nil
	}
	err := s.w.InTx(ctx, func(tx Querier) error {
		out = storekeep.Claimed{}
		claimed, err := s.claim(ctx, tx, s.d.ClaimMail, now, lease, limit)
		if err != nil {
			return err
		}
		for _, query := range []string{s.d.ClaimJobs, s.d.ClaimInvites} {
			if len(claimed) == limit {
				break
			}
			more, err := s.claim(ctx, tx, query, now, lease, limit-len(claimed))
			if err != nil {
				return err
			}
			claimed = append(claimed, more...)
		}
		var failed []int64
		for _, c := range claimed {
			if err := s.open(c, &out); err != nil {
				failed = append(failed, c.id)
			}
		}
		if len(failed) == 0 {
			return nil
		}
		ids, err := s.d.List(failed)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE outbox
			SET status = 'failed', failed_at = $1, last_error = $2, claimed_until = NULL
			WHERE `+s.d.ListIn("id", "$3"), s.planEach(s.at(now), unsealable, ids)...)
		return err
	})
	if err != nil {
		return storekeep.Claimed{}, err
	}
	return out, nil
}

// claimedRow is a leased outbox row whose data is still sealed.
type claimedRow struct {
	id, shopID        int64
	kind, to, locale  string
	template, message string
	sealed            []byte
	attempts          int
	created           time.Time
}

// claim runs one of the dialect's claims and returns its rows oldest
// first.
func (s *Store) claim(ctx context.Context, tx Querier, query string, now time.Time, lease time.Duration, limit int) ([]claimedRow, error) {
	rows, err := tx.QueryContext(ctx, query, s.at(now.Add(lease)), s.at(now), limit)
	got, err := collect(rows, err, func(row scanner) (claimedRow, error) {
		var c claimedRow
		err := row.Scan(&c.id, &c.shopID, &c.kind, &c.to, &c.template, &c.locale, &c.sealed, &c.message, &c.attempts,
			scanTime(&c.created))
		return c, err
	})
	slices.SortFunc(got, func(a, b claimedRow) int { return cmp.Compare(a.id, b.id) })
	return got, err
}

// open opens c's sealed data and adds c to out as a mail or a job.
func (s *Store) open(c claimedRow, out *storekeep.Claimed) error {
	plain, err := s.sealer.Open(c.sealed)
	if err != nil {
		return fmt.Errorf("%s: open data of outbox row %d: %w", s.d.Name, c.id, err)
	}
	if c.kind == "mail" {
		m := storekeep.Mail{ID: c.id, ShopID: c.shopID, To: c.to, Template: storekeep.Template(c.template),
			Locale: c.locale, MessageID: c.message, Attempts: c.attempts, CreatedAt: c.created}
		if err := json.Unmarshal(plain, &m.Data); err != nil {
			return fmt.Errorf("%s: data of mail %d: %w", s.d.Name, c.id, err)
		}
		out.Mail = append(out.Mail, m)
		return nil
	}
	j := storekeep.Job{ID: c.id, ShopID: c.shopID, Kind: storekeep.JobKind(c.kind), Locale: c.locale,
		Attempts: c.attempts, CreatedAt: c.created}
	payload := any(&j.Recover)
	if j.Kind == storekeep.JobInvite {
		payload = &j.Invite
	}
	if err := json.Unmarshal(plain, payload); err != nil {
		return fmt.Errorf("%s: payload of job %d: %w", s.d.Name, c.id, err)
	}
	if j.Kind == storekeep.JobInvite {
		j.Invite.Email = c.to
	} else {
		j.Recover.Email = c.to
	}
	out.Jobs = append(out.Jobs, j)
	return nil
}

// MarkMailsSent records delivery of each pending mail of ids and erases its
// data, in one statement, and returns how many were pending. The ids go as
// one list parameter, so the statement is the same whatever their number.
func (s *Store) MarkMailsSent(ctx context.Context, ids []int64, now time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	list, err := s.d.List(ids)
	if err != nil {
		return 0, err
	}
	return affected(s.w.ExecContext(ctx, s.markSent(), s.planEach(s.at(now), list)...))
}

// markSent is the statement that marks the pending rows of the list
// parameter $2 sent at $1 and erases their data, each looked up by its
// primary key.
func (s *Store) markSent() string {
	return `UPDATE outbox SET status = 'sent', sent_at = $1, data = NULL, claimed_until = NULL
		WHERE ` + s.d.ListIn("id", "$2") + ` AND ` + hasStatus(storekeep.MailPending)
}

// MarkMailRetry releases the claim on a pending mail and makes it due at
// next.
func (s *Store) MarkMailRetry(ctx context.Context, id int64, next time.Time, lastError string) error {
	return affectedOne(s.w.ExecContext(ctx, `UPDATE outbox
		SET next_attempt_at = $1, claimed_until = NULL, last_error = $2
		WHERE id = $3 AND `+hasStatus(storekeep.MailPending), s.at(next), lastError, id))
}

// MarkMailFailed gives up on a pending mail. Its data stays, sealed, for
// RetryMail.
func (s *Store) MarkMailFailed(ctx context.Context, id int64, now time.Time, lastError string) error {
	return affectedOne(s.w.ExecContext(ctx, `UPDATE outbox
		SET status = 'failed', failed_at = $1, last_error = $2, claimed_until = NULL
		WHERE id = $3 AND `+hasStatus(storekeep.MailPending), s.at(now), lastError, id))
}

// OutboxStats counts pending outbox rows of every kind (mails and jobs) up
// to upTo and returns when the oldest was queued, both through
// outbox_listing's (status, created_at): the count stops at upTo, the
// oldest is the first entry.
func (s *Store) OutboxStats(ctx context.Context, upTo int) (int, time.Time, error) {
	var n int
	var oldest time.Time
	err := s.r.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM (SELECT 1 FROM outbox WHERE status = 'pending' LIMIT $1) AS capped),
			(SELECT created_at FROM outbox WHERE status = 'pending' ORDER BY created_at LIMIT 1)`, upTo).
		Scan(&n, scanTime(&oldest))
	return n, oldest, err
}

// OldestDue returns the earliest due time of pending, unclaimed mail and
// jobs, each read from its due index.
func (s *Store) OldestDue(ctx context.Context, now time.Time) (time.Time, error) {
	var mail, job time.Time
	err := s.r.QueryRowContext(ctx, s.d.OldestDue, s.at(now)).
		Scan(scanTime(&mail), scanTime(&job))
	if err != nil || mail.IsZero() || !job.IsZero() && job.Before(mail) {
		return job, err
	}
	return mail, nil
}

// insertLeasedMails queues mails, due at once, leased until leaseUntil
// with one attempt counted, as if claimed by the caller, in one statement,
// and returns them with their IDs and attempt. Their Data is sealed.
func (s *Store) insertLeasedMails(ctx context.Context, q Querier, mails []storekeep.Mail, leaseUntil time.Time) ([]storekeep.Mail, error) {
	rows := make([]outboxRow, len(mails))
	for i, m := range mails {
		var err error
		if rows[i], err = s.mailRow(m); err != nil {
			return nil, err
		}
		rows[i].lease = leaseUntil
	}
	ids, err := s.insertTable(ctx, q, rows)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(mails)
	for i := range out {
		out[i].ID, out[i].Attempts = ids[i], 1
	}
	return out, nil
}

// sealData seals data's JSON for an outbox row.
func (s *Store) sealData(data any) ([]byte, error) {
	plain, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	sealed, err := s.sealer.Seal(plain)
	if err != nil {
		return nil, fmt.Errorf("%s: seal outbox data: %w", s.d.Name, err)
	}
	return sealed, nil
}
