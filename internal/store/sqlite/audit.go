package sqlite

import (
	"context"

	"github.com/storekeep/storekeep"
)

// RecordAudit stores e.
func (s *Store) RecordAudit(ctx context.Context, e storekeep.AuditEvent) error {
	return s.insertAudit(ctx, s.writer, e)
}

func (s *Store) insertAudit(ctx context.Context, q querier, e storekeep.AuditEvent) error {
	_, err := q.ExecContext(ctx, `INSERT INTO audit_events (shop_id, customer_id, kind, ip, user_agent, detail, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.ShopID, e.CustomerID, e.Kind, e.IP, e.UserAgent, e.Detail, toUnix(stamp(e.At)))
	return err
}

// AuditEvents lists up to limit (all when limit <= 0) of a shop's events,
// or every shop's when shopID is 0, newest first.
func (s *Store) AuditEvents(ctx context.Context, shopID int64, limit int) ([]storekeep.AuditEvent, error) {
	if limit <= 0 {
		limit = -1
	}
	const columns = `SELECT id, shop_id, customer_id, kind, ip, user_agent, detail, at FROM audit_events `
	query, args := columns+`ORDER BY at DESC, id DESC LIMIT ?`, []any{limit}
	if shopID != 0 {
		query, args = columns+`WHERE shop_id = ? ORDER BY at DESC, id DESC LIMIT ?`, []any{shopID, limit}
	}
	rows, err := s.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []storekeep.AuditEvent
	for rows.Next() {
		var e storekeep.AuditEvent
		var at int64
		if err := rows.Scan(&e.ID, &e.ShopID, &e.CustomerID, &e.Kind, &e.IP, &e.UserAgent, &e.Detail, &at); err != nil {
			return nil, err
		}
		e.At = fromUnix(at)
		list = append(list, e)
	}
	return list, rows.Err()
}
