package postgres

import (
	"context"
	"time"

	"github.com/storekeep/storekeep"
)

// RecordAudit stores e.
func (s *Store) RecordAudit(ctx context.Context, e storekeep.AuditEvent) error {
	return insertAudit(ctx, s.pool, e)
}

func insertAudit(ctx context.Context, q querier, e storekeep.AuditEvent) error {
	_, err := q.Exec(ctx, `INSERT INTO audit_events (shop_id, customer_id, kind, ip, user_agent, detail, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.ShopID, e.CustomerID, e.Kind, e.IP, e.UserAgent, e.Detail, stamp(e.At))
	return err
}

// AuditEvents lists up to limit (all when limit <= 0) of a shop's events,
// or every shop's when shopID is 0, newest first.
func (s *Store) AuditEvents(ctx context.Context, shopID int64, limit int) ([]storekeep.AuditEvent, error) {
	const columns = `SELECT id, shop_id, customer_id, kind, ip, user_agent, detail, at FROM audit_events `
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
		var at time.Time
		if err := rows.Scan(&e.ID, &e.ShopID, &e.CustomerID, &e.Kind, &e.IP, &e.UserAgent, &e.Detail, &at); err != nil {
			return nil, err
		}
		e.At = fromTime(at)
		list = append(list, e)
	}
	return list, rows.Err()
}
