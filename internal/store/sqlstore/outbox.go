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
	plain, err := json.Marshal(m.Data)
	if err != nil {
		return 0, err
	}
	sealed, err := s.sealer.Seal(plain)
	if err != nil {
		return 0, fmt.Errorf("%s: seal mail data: %w", s.d.Name, err)
	}
	var id int64
	err = q.QueryRowContext(ctx, `INSERT INTO outbox (shop_id, recipient, template, locale, data, message_id, status,
			next_attempt_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) RETURNING id`,
		m.ShopID, m.To, m.Template, m.Locale, sealed, m.MessageID, s.at(s.stamp(m.CreatedAt))).Scan(&id)
	return id, s.mapErr(err)
}

// EnqueueMail queues m, due at once, and returns its ID.
func (s *Store) EnqueueMail(ctx context.Context, m storekeep.Mail) (int64, error) {
	return s.insertMail(ctx, s.w, m)
}

// unsealable is the last_error of a mail that ClaimMail failed because its
// data no longer opens, for instance once its key left the ring.
const unsealable = "data cannot be unsealed"

// ClaimMail leases up to limit due pending mails until now+lease and
// returns them with Data opened: due mail first, then due jobs, each in
// the order they were queued.
//
// Where many nodes claim at once, the dialect's claims lock the rows they
// pick and pass over rows another claim has locked (FOR UPDATE SKIP
// LOCKED), so concurrent claims take disjoint batches without waiting for
// one another; once a claim commits, its rows carry a claimed_until in the
// future and no longer qualify until that lease runs out, when a stuck
// claim becomes claimable again. A claimed mail whose data does not open
// is marked failed with last_error unsealable in the same transaction and
// left out; the rest of the batch is returned.
func (s *Store) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]storekeep.Mail, error) {
	if limit <= 0 {
		return nil, nil
	}
	var mails []storekeep.Mail
	err := s.w.InTx(ctx, func(tx Querier) error {
		claimed, err := s.claim(ctx, tx, s.d.ClaimMail, now, lease, limit)
		if err != nil {
			return err
		}
		if len(claimed) < limit {
			jobs, err := s.claim(ctx, tx, s.d.ClaimJobs, now, lease, limit-len(claimed))
			if err != nil {
				return err
			}
			claimed = append(claimed, jobs...)
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
		ids, err := s.d.List(failed)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE outbox
			SET status = 'failed', failed_at = $1, last_error = $2, claimed_until = NULL
			WHERE `+s.d.ListIn("id", "$3"), s.at(now), unsealable, ids)
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

// claim runs one of the dialect's claims and returns its rows oldest
// first.
func (s *Store) claim(ctx context.Context, tx Querier, query string, now time.Time, lease time.Duration, limit int) ([]claimedMail, error) {
	rows, err := tx.QueryContext(ctx, query, s.at(now.Add(lease)), s.at(now), limit)
	got, err := collect(rows, err, func(row scanner) (claimedMail, error) {
		var c claimedMail
		m := &c.mail
		err := row.Scan(&m.ID, &m.ShopID, &m.To, &m.Template, &m.Locale, &c.sealed, &m.MessageID, &m.Attempts,
			scanTime(&m.CreatedAt))
		return c, err
	})
	slices.SortFunc(got, func(a, b claimedMail) int { return cmp.Compare(a.mail.ID, b.mail.ID) })
	return got, err
}

// openData opens c's sealed data into c.mail.Data.
func (s *Store) openData(c *claimedMail) error {
	plain, err := s.sealer.Open(c.sealed)
	if err != nil {
		return fmt.Errorf("%s: open data of mail %d: %w", s.d.Name, c.mail.ID, err)
	}
	if err := json.Unmarshal(plain, &c.mail.Data); err != nil {
		return fmt.Errorf("%s: data of mail %d: %w", s.d.Name, c.mail.ID, err)
	}
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
	return affected(s.w.ExecContext(ctx, `UPDATE outbox
		SET status = 'sent', sent_at = $1, data = NULL, claimed_until = NULL
		WHERE status = 'pending' AND `+s.d.ListIn("id", "$2"), s.at(now), list))
}

// MarkMailRetry releases the claim on a pending mail and makes it due at
// next.
func (s *Store) MarkMailRetry(ctx context.Context, id int64, next time.Time, lastError string) error {
	return affectedOne(s.w.ExecContext(ctx, `UPDATE outbox
		SET next_attempt_at = $1, claimed_until = NULL, last_error = $2
		WHERE id = $3 AND status = 'pending'`, s.at(next), lastError, id))
}

// MarkMailFailed gives up on a pending mail. Its data stays, sealed, for
// RetryMail.
func (s *Store) MarkMailFailed(ctx context.Context, id int64, now time.Time, lastError string) error {
	return affectedOne(s.w.ExecContext(ctx, `UPDATE outbox
		SET status = 'failed', failed_at = $1, last_error = $2, claimed_until = NULL
		WHERE id = $3 AND status = 'pending'`, s.at(now), lastError, id))
}

// OutboxStats counts pending mails and returns when the oldest was queued.
func (s *Store) OutboxStats(ctx context.Context) (int, time.Time, error) {
	var n int
	var oldest time.Time
	err := s.r.QueryRowContext(ctx, `SELECT count(*), min(created_at) FROM outbox WHERE status = 'pending'`).
		Scan(&n, scanTime(&oldest))
	return n, oldest, err
}
