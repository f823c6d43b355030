package sqlstore

import (
	"context"
	"errors"
	"fmt"
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

// shopSecretColumns are the columns of shops that hold sealed secrets.
var shopSecretColumns = []string{"webhook_secret", "multipass_secret"}

// ResealShopSecrets seals again under the newest key every shop secret
// (webhook, Multipass) that an older key sealed, so that the older key
// can leave the ring. When a secret opens with none of the keys it
// changes nothing and returns an error naming each such shop and secret.
func (s *Store) ResealShopSecrets(ctx context.Context) error {
	type sealed struct {
		shop   int64
		column string
		value  []byte
	}
	var stale []sealed
	var lost []error
	for _, col := range shopSecretColumns {
		rows, err := s.r.QueryContext(ctx, `SELECT id, `+col+` FROM shops WHERE `+col+` IS NOT NULL ORDER BY id`)
		list, err := collect(rows, err, func(row scanner) (sealed, error) {
			v := sealed{column: col}
			err := row.Scan(&v.shop, &v.value)
			return v, err
		})
		if err != nil {
			return err
		}
		for _, v := range list {
			if len(v.value) == 0 || s.sealer.Current(v.value) {
				continue
			}
			if _, err := s.sealer.Open(v.value); err != nil {
				lost = append(lost, fmt.Errorf("shop %d: %s: %w", v.shop, v.column, err))
				continue
			}
			stale = append(stale, v)
		}
	}
	if len(lost) > 0 {
		return errors.Join(lost...)
	}
	for _, v := range stale {
		plain, err := s.sealer.Open(v.value)
		if err != nil {
			return err
		}
		next, err := s.sealer.Seal(plain)
		if err != nil {
			return err
		}
		if _, err := s.w.ExecContext(ctx, `UPDATE shops SET `+v.column+` = $1 WHERE id = $2 AND `+v.column+` = $3`,
			next, v.shop, v.value); err != nil {
			return err
		}
	}
	return nil
}
