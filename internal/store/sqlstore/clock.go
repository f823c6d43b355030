package sqlstore

import (
	"context"
	"time"
)

// DatabaseNow returns the time by the database server's clock, which
// every node sharing the database reads alike.
func (s *Store) DatabaseNow(ctx context.Context) (time.Time, error) {
	var t time.Time
	err := s.r.QueryRowContext(ctx, s.d.Now).Scan(scanTime(&t))
	return t, err
}
