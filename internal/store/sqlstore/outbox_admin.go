package sqlstore

import (
	"context"
	"time"

	"github.com/storekeep/storekeep"
)

// ListMail lists up to limit (all when limit <= 0) outbox rows with that
// status, or of every status when it is empty, newest first.
func (s *Store) ListMail(ctx context.Context, status storekeep.MailStatus, limit int) ([]storekeep.MailRecord, error) {
	const columns = `SELECT id, shop_id, kind, recipient, template, message_id, status, attempts, last_error,
		created_at, sent_at FROM outbox `
	query, args := columns+`ORDER BY created_at DESC, id DESC LIMIT $1`, []any{s.limit(limit)}
	if status != "" {
		query, args = columns+`WHERE status = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, []any{string(status), s.limit(limit)}
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	return collect(rows, err, func(row scanner) (storekeep.MailRecord, error) {
		var r storekeep.MailRecord
		var kind string
		err := row.Scan(&r.ID, &r.ShopID, &kind, &r.To, &r.Template, &r.MessageID, &r.Status, &r.Attempts,
			&r.LastError, scanTime(&r.CreatedAt), scanTime(&r.SentAt))
		if kind != "mail" {
			r.Job = storekeep.JobKind(kind)
		}
		return r, err
	})
}

// RetryMail makes a failed mail pending again, due at now, with no
// attempts; storekeep.ErrNotFound unless it exists and has failed.
func (s *Store) RetryMail(ctx context.Context, id int64, now time.Time) error {
	return affectedOne(s.w.ExecContext(ctx, `UPDATE outbox
		SET status = 'pending', attempts = 0, next_attempt_at = $1, claimed_until = NULL, failed_at = NULL
		WHERE id = $2 AND `+hasStatus(storekeep.MailFailed), s.at(now), id))
}

// PruneMail deletes up to limit of the mails sent before cutoff, oldest
// first (from outbox_sent), then, while fewer went, mail given up before
// cutoff, oldest queued first (outbox_listing's failed rows, whose
// failed_at is read from the row), and returns how many rows it deleted.
func (s *Store) PruneMail(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	return s.pruneInBatch(ctx, cutoff, limit,
		`DELETE FROM outbox WHERE `+s.d.IDsFrom(`SELECT id FROM outbox WHERE status = 'sent' AND sent_at < $1 ORDER BY sent_at LIMIT $2`),
		`DELETE FROM outbox WHERE `+s.d.IDsFrom(`SELECT id FROM outbox WHERE status = 'failed' AND failed_at < $1 ORDER BY created_at LIMIT $2`))
}

// pruneInBatch runs each of deletes ($1: cutoff, $2: how many at most)
// in turn until limit rows went, and returns how many did.
func (s *Store) pruneInBatch(ctx context.Context, cutoff time.Time, limit int, deletes ...string) (int, error) {
	total := 0
	for _, query := range deletes {
		if total >= limit {
			break
		}
		n, err := affected(s.w.ExecContext(ctx, query, s.planEach(s.at(cutoff), limit-total)...))
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
