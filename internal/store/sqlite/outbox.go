package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/storekeep/storekeep"
)

// insertMail queues m, due at once. Its Data is sealed.
func (s *Store) insertMail(ctx context.Context, q querier, m storekeep.Mail) (int64, error) {
	plain, err := json.Marshal(m.Data)
	if err != nil {
		return 0, err
	}
	sealed, err := s.sealer.Seal(plain)
	if err != nil {
		return 0, fmt.Errorf("sqlite: seal mail data: %w", err)
	}
	created := toUnix(stamp(m.CreatedAt))
	var id int64
	err = q.QueryRowContext(ctx, `INSERT INTO outbox (shop_id, recipient, template, locale, data, message_id, status,
			next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id`,
		m.ShopID, m.To, m.Template, m.Locale, sealed, m.MessageID, created, created).Scan(&id)
	return id, mapErr(err)
}

// EnqueueMail queues m, due at once, and returns its ID.
func (s *Store) EnqueueMail(ctx context.Context, m storekeep.Mail) (int64, error) {
	return s.insertMail(ctx, s.writer, m)
}

// unsealable is the last_error of a mail that ClaimMail failed because its
// data no longer opens, for instance once its key left the ring.
const unsealable = "data cannot be unsealed"

// ClaimMail leases up to limit due pending mails until now+lease and
// returns them in queue order with Data opened. A claimed mail whose data
// does not open is marked failed with last_error unsealable, in the same
// transaction, and left out; the rest of the batch is returned.
func (s *Store) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]storekeep.Mail, error) {
	if limit <= 0 {
		return nil, nil
	}
	at := toUnix(now)
	var mails []storekeep.Mail
	err := s.inTx(ctx, func(tx *txn) error {
		claimed, err := claimRows(ctx, tx, at, toUnix(now.Add(lease)), limit)
		if err != nil {
			return err
		}
		mails = make([]storekeep.Mail, 0, len(claimed))
		for _, c := range claimed {
			if err := s.openData(&c); err != nil {
				if _, err := tx.ExecContext(ctx, `UPDATE outbox
					SET status = 'failed', failed_at = ?, last_error = ?, claimed_until = NULL
					WHERE id = ?`, at, unsealable, c.mail.ID); err != nil {
					return err
				}
				continue
			}
			mails = append(mails, c.mail)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(mails, func(a, b storekeep.Mail) int { return cmp.Compare(a.ID, b.ID) })
	return mails, nil
}

// claimedMail is a leased outbox row whose data is still sealed.
type claimedMail struct {
	mail   storekeep.Mail
	sealed []byte
}

// The two claims, one per index: due mail, then due recover_request jobs.
// Each names its partial index, since without statistics SQLite's planner
// may prefer outbox_listing and sort every pending row; the template
// conditions are literal so that the partial index applies.
const (
	claimMailSQL = `UPDATE outbox SET attempts = attempts + 1, claimed_until = ?
		WHERE id IN (
			SELECT id FROM outbox INDEXED BY outbox_due_mail
			WHERE status = 'pending' AND template <> 'recover_request'
				AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
			ORDER BY next_attempt_at, id LIMIT ?)
		RETURNING id, shop_id, recipient, template, locale, data, message_id, attempts, created_at`
	claimJobsSQL = `UPDATE outbox SET attempts = attempts + 1, claimed_until = ?
		WHERE id IN (
			SELECT id FROM outbox INDEXED BY outbox_due_job
			WHERE status = 'pending' AND template = 'recover_request'
				AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
			ORDER BY next_attempt_at, id LIMIT ?)
		RETURNING id, shop_id, recipient, template, locale, data, message_id, attempts, created_at`
)

// claimRows leases up to limit due rows, mail before jobs.
func claimRows(ctx context.Context, tx *txn, now, until int64, limit int) ([]claimedMail, error) {
	got, err := claimWith(ctx, tx, claimMailSQL, now, until, limit)
	if err != nil || len(got) == limit {
		return got, err
	}
	jobs, err := claimWith(ctx, tx, claimJobsSQL, now, until, limit-len(got))
	return append(got, jobs...), err
}

func claimWith(ctx context.Context, tx *txn, query string, now, until int64, limit int) ([]claimedMail, error) {
	rows, err := tx.QueryContext(ctx, query, until, now, now, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var got []claimedMail
	for rows.Next() {
		var c claimedMail
		var created int64
		m := &c.mail
		if err := rows.Scan(&m.ID, &m.ShopID, &m.To, &m.Template, &m.Locale, &c.sealed, &m.MessageID, &m.Attempts, &created); err != nil {
			return nil, err
		}
		m.CreatedAt = fromUnix(created)
		got = append(got, c)
	}
	return got, rows.Err()
}

// openData opens c's sealed data into c.mail.Data.
func (s *Store) openData(c *claimedMail) error {
	plain, err := s.sealer.Open(c.sealed)
	if err != nil {
		return fmt.Errorf("sqlite: open data of mail %d: %w", c.mail.ID, err)
	}
	if err := json.Unmarshal(plain, &c.mail.Data); err != nil {
		return fmt.Errorf("sqlite: data of mail %d: %w", c.mail.ID, err)
	}
	return nil
}

// MarkMailSent records delivery of a pending mail and erases its data.
func (s *Store) MarkMailSent(ctx context.Context, id int64, now time.Time) error {
	return affectedOne(s.writer.ExecContext(ctx, `UPDATE outbox
		SET status = 'sent', sent_at = ?, data = NULL, claimed_until = NULL
		WHERE id = ? AND status = 'pending'`, toUnix(now), id))
}

// MarkMailsSent records delivery of each pending mail of ids and erases its
// data, in one statement, and returns how many were pending. The ids go as
// one JSON array, so the statement is the same whatever their number.
func (s *Store) MarkMailsSent(ctx context.Context, ids []int64, now time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return 0, err
	}
	res, err := s.writer.ExecContext(ctx, `UPDATE outbox
		SET status = 'sent', sent_at = ?, data = NULL, claimed_until = NULL
		WHERE status = 'pending' AND id IN (SELECT value FROM json_each(?))`, toUnix(now), string(list))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// MarkMailRetry releases the claim on a pending mail and makes it due at
// next.
func (s *Store) MarkMailRetry(ctx context.Context, id int64, next time.Time, lastError string) error {
	return affectedOne(s.writer.ExecContext(ctx, `UPDATE outbox
		SET next_attempt_at = ?, claimed_until = NULL, last_error = ?
		WHERE id = ? AND status = 'pending'`, toUnix(next), lastError, id))
}

// MarkMailFailed gives up on a pending mail. Its data stays, sealed, for
// RetryMail.
func (s *Store) MarkMailFailed(ctx context.Context, id int64, now time.Time, lastError string) error {
	return affectedOne(s.writer.ExecContext(ctx, `UPDATE outbox
		SET status = 'failed', failed_at = ?, last_error = ?, claimed_until = NULL
		WHERE id = ? AND status = 'pending'`, toUnix(now), lastError, id))
}

// OutboxStats counts pending mails and returns when the oldest was queued.
func (s *Store) OutboxStats(ctx context.Context) (int, time.Time, error) {
	var n int
	var oldest sql.NullInt64
	err := s.reader.QueryRowContext(ctx, `SELECT count(*), min(created_at) FROM outbox WHERE status = 'pending'`).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, err
	}
	return n, fromNullUnix(oldest), nil
}
