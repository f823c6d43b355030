package sqlstore

import (
	"context"
	"time"

	"github.com/storekeep/storekeep"
)

// ListMail lists up to limit (all when limit <= 0) outbox rows with that
// status, or of every status when it is empty, newest first.
func (s *Store) ListMail(ctx context.Context, status storekeep.MailStatus, limit int) ([]storekeep.MailRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, shop_id, kind, recipient, template, message_id, status, attempts,
			last_error, created_at, sent_at
		FROM outbox WHERE CAST($1 AS TEXT) = '' OR status = $1
		ORDER BY created_at DESC, id DESC LIMIT $2`, string(status), s.limit(limit))
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
		WHERE id = $2 AND status = 'failed'`, s.at(now), id))
}

// PruneMail deletes mail sent before cutoff and failed mail queued before
// cutoff, and returns how many rows it deleted.
func (s *Store) PruneMail(ctx context.Context, cutoff time.Time) (int, error) {
	return affected(s.w.ExecContext(ctx, `DELETE FROM outbox
		WHERE (status = 'sent' AND sent_at < $1) OR (status = 'failed' AND created_at < $1)`, s.at(cutoff)))
}
