package sqlite

import (
	"context"
	"time"
)

// KeyChecks returns the stored key check values, oldest first.
func (s *Store) KeyChecks(ctx context.Context) ([][]byte, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT check_value FROM key_checks ORDER BY created_at, check_value`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list [][]byte
	for rows.Next() {
		var c []byte
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	return list, rows.Err()
}

// AddKeyCheck stores check unless it is stored already.
func (s *Store) AddKeyCheck(ctx context.Context, check []byte, now time.Time) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO key_checks (check_value, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING`,
		check, toUnix(stamp(now)))
	return err
}
