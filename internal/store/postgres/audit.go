package postgres

import (
	"context"
	"time"

	"github.com/storekeep/storekeep"
)

// RecordAudit stores e, or folds it into the shop's stored event with the
// same RepeatKey when it has one.
func (s *Store) RecordAudit(ctx context.Context, e storekeep.AuditEvent) error {
	return insertAudit(ctx, s.pool, e)
}

func insertAudit(ctx context.Context, q querier, e storekeep.AuditEvent) error {
	at := stamp(e.At)
	last := at
	if !e.LastAt.IsZero() {
		last = stamp(e.LastAt)
	}
	_, err := q.Exec(ctx, `INSERT INTO audit_events (shop_id, customer_id, kind, ip, user_agent, detail, at, count, last_at, repeat_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (shop_id, repeat_key) WHERE repeat_key <> '' DO UPDATE
		SET count = audit_events.count + excluded.count, last_at = GREATEST(audit_events.last_at, excluded.last_at)`,
		e.ShopID, e.CustomerID, e.Kind, e.IP, e.UserAgent, e.Detail, at, max(e.Count, 1), last, e.RepeatKey)
	return err
}

// AuditEvents lists up to limit (all when limit <= 0) of a shop's events,
// or every shop's when shopID is 0, newest first.
func (s *Store) AuditEvents(ctx context.Context, shopID int64, limit int) ([]storekeep.AuditEvent, error) {
	const columns = `SELECT id, shop_id, customer_id, kind, ip, user_agent, detail, at, count, last_at, repeat_key FROM audit_events `
	query, args := columns+`ORDER BY at DESC, id DESC LIMIT $1`, []any{limitArg(limit)}
	if shopID != 0 {
		query, args = columns+`WHERE shop_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, []any{shopID, limitArg(limit)}
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []storekeep.AuditEvent
	for rows.Next() {
		var e storekeep.AuditEvent
		var at, last time.Time
		if err := rows.Scan(&e.ID, &e.ShopID, &e.CustomerID, &e.Kind, &e.IP, &e.UserAgent, &e.Detail, &at, &e.Count, &last, &e.RepeatKey); err != nil {
			return nil, err
		}
		e.At, e.LastAt = fromTime(at), fromTime(last)
		list = append(list, e)
	}
	return list, rows.Err()
}

// PruneAudit deletes up to limit of the events that happened before
// cutoff, oldest first, and returns how many it deleted.
func (s *Store) PruneAudit(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM audit_events WHERE id IN
		(SELECT id FROM audit_events WHERE at < $1 ORDER BY at LIMIT $2)`, cutoff, limit)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}
