package sqlstore

import (
	"context"
	"time"

	"github.com/storekeep/storekeep"
)

// RecordAudit stores e, or folds it into the shop's stored event with the
// same RepeatKey when it has one.
func (s *Store) RecordAudit(ctx context.Context, e storekeep.AuditEvent) error {
	return s.insertAudit(ctx, s.w, e)
}

func (s *Store) insertAudit(ctx context.Context, q Querier, e storekeep.AuditEvent) error {
	at := s.stamp(e.At)
	last := at
	if !e.LastAt.IsZero() {
		last = s.stamp(e.LastAt)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO audit_events (shop_id, customer_id, kind, ip, user_agent, detail, at, count, last_at, repeat_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (shop_id, repeat_key) WHERE repeat_key <> '' DO UPDATE
		SET count = audit_events.count + excluded.count,
			last_at = CASE WHEN excluded.last_at > audit_events.last_at THEN excluded.last_at ELSE audit_events.last_at END`,
		e.ShopID, e.CustomerID, e.Kind, e.IP, e.UserAgent, e.Detail, s.at(at), max(e.Count, 1), s.at(last), e.RepeatKey)
	return err
}

// AuditEvents lists up to limit (all when limit <= 0) of a shop's events,
// or every shop's when shopID is 0, newest first.
func (s *Store) AuditEvents(ctx context.Context, shopID int64, limit int) ([]storekeep.AuditEvent, error) {
	const columns = `SELECT id, shop_id, customer_id, kind, ip, user_agent, detail, at, count, last_at, repeat_key FROM audit_events `
	query, args := columns+`ORDER BY at DESC, id DESC LIMIT $1`, []any{s.limit(limit)}
	if shopID != 0 {
		query, args = columns+`WHERE shop_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, []any{shopID, s.limit(limit)}
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	return collect(rows, err, func(row scanner) (storekeep.AuditEvent, error) {
		var e storekeep.AuditEvent
		err := row.Scan(&e.ID, &e.ShopID, &e.CustomerID, &e.Kind, &e.IP, &e.UserAgent, &e.Detail, scanTime(&e.At),
			&e.Count, scanTime(&e.LastAt), &e.RepeatKey)
		return e, err
	})
}

// PruneAudit deletes up to limit of the events that happened before
// cutoff, oldest first, and returns how many it deleted.
func (s *Store) PruneAudit(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	return s.pruneInBatch(ctx, cutoff, limit, `DELETE FROM audit_events WHERE `+s.d.IDsFrom(`SELECT id FROM audit_events WHERE at < $1 ORDER BY at LIMIT $2`))
}
