package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/storekeep/storekeep"
)

// ListMail lists up to limit (all when limit <= 0) outbox rows with that
// status, or of every status when it is empty, newest first.
func (s *Store) ListMail(ctx context.Context, status storekeep.MailStatus, limit int) ([]storekeep.MailRecord, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.reader.QueryContext(ctx, `SELECT id, shop_id, recipient, template, message_id, status, attempts,
			last_error, created_at, sent_at
		FROM outbox WHERE ? = '' OR status = ?
		ORDER BY created_at DESC, id DESC LIMIT ?`, status, status, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []storekeep.MailRecord
	for rows.Next() {
		var r storekeep.MailRecord
		var created int64
		var sent sql.NullInt64
		if err := rows.Scan(&r.ID, &r.ShopID, &r.To, &r.Template, &r.MessageID, &r.Status, &r.Attempts,
			&r.LastError, &created, &sent); err != nil {
			return nil, err
		}
		r.CreatedAt, r.SentAt = fromUnix(created), fromNullUnix(sent)
		list = append(list, r)
	}
	return list, rows.Err()
}

// RetryMail makes a failed mail pending again, due at now, with no
// attempts; storekeep.ErrNotFound unless it exists and has failed.
func (s *Store) RetryMail(ctx context.Context, id int64, now time.Time) error {
	return affectedOne(s.writer.ExecContext(ctx, `UPDATE outbox
		SET status = 'pending', attempts = 0, next_attempt_at = ?, claimed_until = NULL, failed_at = NULL
		WHERE id = ? AND status = 'failed'`, toUnix(now), id))
}

// PruneMail deletes mail sent before cutoff and failed mail queued before
// cutoff, and returns how many rows it deleted.
func (s *Store) PruneMail(ctx context.Context, cutoff time.Time) (int, error) {
	at := toUnix(cutoff)
	res, err := s.writer.ExecContext(ctx, `DELETE FROM outbox
		WHERE (status = 'sent' AND sent_at < ?) OR (status = 'failed' AND created_at < ?)`, at, at)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
