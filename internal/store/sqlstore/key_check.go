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

// shopSecretColumns are the columns of shops that hold sealed secrets, in
// the order of storekeep.ShopSecrets' fields.
var shopSecretColumns = []string{"webhook_secret", "multipass_secret"}

// sealedSecret is one shop secret as stored, and opened.
type sealedSecret struct {
	shop   int64
	column string
	value  []byte
	plain  []byte
}

// staleShopSecrets returns the shop secrets that an older key sealed. It
// fails, naming each shop and secret, when one opens with none of the keys.
func (s *Store) staleShopSecrets(ctx context.Context) ([]sealedSecret, error) {
	var stale []sealedSecret
	var lost []error
	for _, col := range shopSecretColumns {
		rows, err := s.r.QueryContext(ctx, `SELECT id, `+col+` FROM shops WHERE `+col+` IS NOT NULL ORDER BY id`)
		list, err := collect(rows, err, func(row scanner) (sealedSecret, error) {
			v := sealedSecret{column: col}
			err := row.Scan(&v.shop, &v.value)
			return v, err
		})
		if err != nil {
			return nil, err
		}
		for _, v := range list {
			if len(v.value) == 0 || s.sealer.Current(v.value) {
				continue
			}
			if v.plain, err = s.sealer.Open(v.value); err != nil {
				lost = append(lost, fmt.Errorf("shop %d: %s: %w", v.shop, v.column, err))
				continue
			}
			stale = append(stale, v)
		}
	}
	return stale, errors.Join(lost...)
}

// CheckShopSecrets fails, naming each shop and secret, when a shop secret
// (webhook, Multipass) opens with none of the keys.
func (s *Store) CheckShopSecrets(ctx context.Context) error {
	_, err := s.staleShopSecrets(ctx)
	return err
}

// ResealShopSecrets seals again under the newest key every shop secret
// that an older key sealed, so that the older key can leave the ring, and
// returns how many it sealed. It changes nothing when CheckShopSecrets
// fails; a secret changed meanwhile is left as it is.
func (s *Store) ResealShopSecrets(ctx context.Context) (int, error) {
	stale, err := s.staleShopSecrets(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range stale {
		next, err := s.sealer.Seal(v.plain)
		if err != nil {
			return n, err
		}
		res, err := s.w.ExecContext(ctx, `UPDATE shops SET `+v.column+` = $1 WHERE id = $2 AND `+v.column+` = $3`,
			next, v.shop, v.value)
		if err != nil {
			return n, err
		}
		if k, err := res.RowsAffected(); err == nil {
			n += int(k)
		}
	}
	return n, nil
}
