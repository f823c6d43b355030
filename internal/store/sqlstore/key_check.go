package sqlstore

import (
	"context"
	"time"
)

// KeyChecks returns the stored key check values, oldest first.
func (s *Store) KeyChecks(ctx context.Context) ([][]byte, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT check_value FROM key_checks ORDER BY created_at, check_value`)
	return collect(rows, err, func(row scanner) ([]byte, error) {
		var c []byte
		err := row.Scan(&c)
		return c, err
	})
}

// AddKeyCheck stores check unless it is stored already.
func (s *Store) AddKeyCheck(ctx context.Context, check []byte, now time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO key_checks (check_value, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		check, s.at(s.stamp(now)))
	return err
}
