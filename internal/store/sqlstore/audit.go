package sqlstore

import (
	"context"

	"github.com/storekeep/storekeep"
)

// RecordAudit stores e.
func (s *Store) RecordAudit(ctx context.Context, e storekeep.AuditEvent) error {
	return s.insertAudit(ctx, s.w, e)
}

func (s *Store) insertAudit(ctx context.Context, q Querier, e storekeep.AuditEvent) error {
	_, err := q.ExecContext(ctx, `INSERT INTO audit_events (shop_id, customer_id, kind, ip, user_agent, detail, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.ShopID, e.CustomerID, e.Kind, e.IP, e.UserAgent, e.Detail, s.at(s.stamp(e.At)))
	return err
}

// AuditEvents lists up to limit (all when limit <= 0) of a shop's events,
// or every shop's when shopID is 0, newest first.
func (s *Store) AuditEvents(ctx context.Context, shopID int64, limit int) ([]storekeep.AuditEvent, error) {
	const columns = `SELECT id, shop_id, customer_id, kind, ip, user_agent, detail, at FROM audit_events `
	query, args := columns+`ORDER BY at DESC, id DESC LIMIT $1`, []any{s.limit(limit)}
	if shopID != 0 {
		query, args = columns+`WHERE shop_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, []any{shopID, s.limit(limit)}
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	return collect(rows, err, func(row scanner) (storekeep.AuditEvent, error) {
		var e storekeep.AuditEvent
		err := row.Scan(&e.ID, &e.ShopID, &e.CustomerID, &e.Kind, &e.IP, &e.UserAgent, &e.Detail, scanTime(&e.At))
		return e, err
	})
}
