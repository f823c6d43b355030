package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

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
		return 0, fmt.Errorf("postgres: seal mail data: %w", err)
	}
	created := stamp(m.CreatedAt)
	var id int64
	err = q.QueryRow(ctx, `INSERT INTO outbox (shop_id, recipient, template, locale, data, message_id, status,
			next_attempt_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) RETURNING id`,
		m.ShopID, m.To, m.Template, m.Locale, sealed, m.MessageID, created).Scan(&id)
	return id, mapErr(err)
}

// EnqueueMail queues m, due at once, and returns its ID.
func (s *Store) EnqueueMail(ctx context.Context, m storekeep.Mail) (int64, error) {
	return s.insertMail(ctx, s.pool, m)
}

// unsealable is the last_error of a mail that ClaimMail failed because its
// data no longer opens, for instance once its key left the ring.
const unsealable = "data cannot be unsealed"

// ClaimMail leases up to limit due pending mails until now+lease and
// returns them in queue order with Data opened.
//
// Any number of nodes may claim at once: the inner SELECT ... FOR UPDATE
// SKIP LOCKED locks the rows it picks and passes over rows another claim
// has locked, so concurrent claims take disjoint batches without waiting
// for one another; once a claim commits, its rows carry a claimed_until in
// the future and no longer qualify until that lease runs out, when a stuck
// claim becomes claimable again. A claimed mail whose data does not open
// is marked failed with last_error unsealable in the same transaction and
// left out; the rest of the batch is returned.
func (s *Store) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]storekeep.Mail, error) {
	if limit <= 0 {
		return nil, nil
	}
	var mails []storekeep.Mail
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		claimed, err := claimRows(ctx, tx, now, now.Add(lease), limit)
		if err != nil {
			return err
		}
		mails = make([]storekeep.Mail, 0, len(claimed))
		var failed []int64
		for _, c := range claimed {
			if err := s.openData(&c); err != nil {
				failed = append(failed, c.mail.ID)
				continue
			}
			mails = append(mails, c.mail)
		}
		if len(failed) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE outbox
			SET status = 'failed', failed_at = $1, last_error = $2, claimed_until = NULL
			WHERE id = ANY($3)`, now, unsealable, failed)
		return err
	})
	if err != nil {
		return nil, err
	}
	return mails, nil
}

// claimedMail is a leased outbox row whose data is still sealed.
type claimedMail struct {
	mail   storekeep.Mail
	sealed []byte
}

// The two claims, one per partial index: due mail, then due
// recover_request jobs.
const (
	claimMailSQL = `UPDATE outbox SET attempts = attempts + 1, claimed_until = $1
		WHERE id IN (
			SELECT id FROM outbox
			WHERE status = 'pending' AND template <> 'recover_request'
				AND next_attempt_at <= $2 AND (claimed_until IS NULL OR claimed_until <= $2)
			ORDER BY next_attempt_at, id LIMIT $3
			FOR UPDATE SKIP LOCKED)
		RETURNING id, shop_id, recipient, template, locale, data, message_id, attempts, created_at`
	claimJobsSQL = `UPDATE outbox SET attempts = attempts + 1, claimed_until = $1
		WHERE id IN (
			SELECT id FROM outbox
			WHERE status = 'pending' AND template = 'recover_request'
				AND next_attempt_at <= $2 AND (claimed_until IS NULL OR claimed_until <= $2)
			ORDER BY next_attempt_at, id LIMIT $3
			FOR UPDATE SKIP LOCKED)
		RETURNING id, shop_id, recipient, template, locale, data, message_id, attempts, created_at`
)

// claimRows leases up to limit due rows, mail before jobs.
func claimRows(ctx context.Context, tx pgx.Tx, now, until time.Time, limit int) ([]claimedMail, error) {
	got, err := claimWith(ctx, tx, claimMailSQL, now, until, limit)
	if err != nil || len(got) == limit {
		return got, err
	}
	jobs, err := claimWith(ctx, tx, claimJobsSQL, now, until, limit-len(got))
	return append(got, jobs...), err
}

func claimWith(ctx context.Context, tx pgx.Tx, query string, now, until time.Time, limit int) ([]claimedMail, error) {
	rows, err := tx.Query(ctx, query, until, now, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var got []claimedMail
	for rows.Next() {
		var c claimedMail
		var created time.Time
		m := &c.mail
		if err := rows.Scan(&m.ID, &m.ShopID, &m.To, &m.Template, &m.Locale, &c.sealed, &m.MessageID, &m.Attempts, &created); err != nil {
			return nil, err
		}
		m.CreatedAt = fromTime(created)
		got = append(got, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(got, func(a, b claimedMail) int { return cmp.Compare(a.mail.ID, b.mail.ID) })
	return got, nil
}

// openData opens c's sealed data into c.mail.Data.
func (s *Store) openData(c *claimedMail) error {
	plain, err := s.sealer.Open(c.sealed)
	if err != nil {
		return fmt.Errorf("postgres: open data of mail %d: %w", c.mail.ID, err)
	}
	if err := json.Unmarshal(plain, &c.mail.Data); err != nil {
		return fmt.Errorf("postgres: data of mail %d: %w", c.mail.ID, err)
	}
	return nil
}

// MarkMailSent records delivery of a pending mail and erases its data.
func (s *Store) MarkMailSent(ctx context.Context, id int64, now time.Time) error {
	return affectedOne(s.pool.Exec(ctx, `UPDATE outbox
		SET status = 'sent', sent_at = $1, data = NULL, claimed_until = NULL
		WHERE id = $2 AND status = 'pending'`, now, id))
}

// MarkMailsSent records delivery of each pending mail of ids and erases its
// data, in one statement, and returns how many were pending.
func (s *Store) MarkMailsSent(ctx context.Context, ids []int64, now time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	tag, err := s.pool.Exec(ctx, `UPDATE outbox
		SET status = 'sent', sent_at = $1, data = NULL, claimed_until = NULL
		WHERE id = ANY($2) AND status = 'pending'`, now, ids)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// MarkMailRetry releases the claim on a pending mail and makes it due at
// next.
func (s *Store) MarkMailRetry(ctx context.Context, id int64, next time.Time, lastError string) error {
	return affectedOne(s.pool.Exec(ctx, `UPDATE outbox
		SET next_attempt_at = $1, claimed_until = NULL, last_error = $2
		WHERE id = $3 AND status = 'pending'`, next, lastError, id))
}

// MarkMailFailed gives up on a pending mail. Its data stays, sealed, for
// RetryMail.
func (s *Store) MarkMailFailed(ctx context.Context, id int64, now time.Time, lastError string) error {
	return affectedOne(s.pool.Exec(ctx, `UPDATE outbox
		SET status = 'failed', failed_at = $1, last_error = $2, claimed_until = NULL
		WHERE id = $3 AND status = 'pending'`, now, lastError, id))
}

// OutboxStats counts pending mails and returns when the oldest was queued.
func (s *Store) OutboxStats(ctx context.Context) (int, time.Time, error) {
	var n int
	var oldest *time.Time
	err := s.pool.QueryRow(ctx, `SELECT count(*), min(created_at) FROM outbox WHERE status = 'pending'`).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, err
	}
	return n, fromNullTime(oldest), nil
}
