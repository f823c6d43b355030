package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/storekeep/storekeep"
)

// CreateAccessToken stores t, unless verified is set and no longer the
// customer's password hash, and deletes the customer's open tokens beyond
// the newest storekeep.MaxAccessTokensPerCustomer, under the customer's
// row lock so that sign-ins at once take turns at the count;
// storekeep.ErrConflict if its hash exists.
func (s *Store) CreateAccessToken(ctx context.Context, t storekeep.AccessToken, verified string) (storekeep.AccessToken, error) {
	var out storekeep.AccessToken
	err := s.w.InTx(ctx, func(tx Querier) error {
		if err := s.lockCustomer(ctx, tx, t.CustomerID); err != nil {
			return err
		}
		if verified != "" {
			var hash string
			err := tx.QueryRowContext(ctx, `SELECT password_hash FROM customers WHERE id = $1`, t.CustomerID).Scan(&hash)
			if errors.Is(err, sql.ErrNoRows) || err == nil && hash != verified {
				return storekeep.ErrStale
			} else if err != nil {
				return err
			}
		}
		var err error
		if out, err = s.insertAccessToken(ctx, tx, t); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM access_tokens WHERE customer_id = $1 AND revoked_at IS NULL AND id < (
			SELECT id FROM access_tokens WHERE customer_id = $1 AND revoked_at IS NULL ORDER BY id DESC LIMIT 1 OFFSET $2)`,
			t.CustomerID, storekeep.MaxAccessTokensPerCustomer-1)
		return err
	})
	if err != nil {
		return storekeep.AccessToken{}, err
	}
	return out, nil
}

func (s *Store) insertAccessToken(ctx context.Context, q Querier, t storekeep.AccessToken) (storekeep.AccessToken, error) {
	t.CreatedAt, t.ExpiresAt = s.stamp(t.CreatedAt), t.ExpiresAt.Truncate(s.d.Precision)
	err := q.QueryRowContext(ctx, `INSERT INTO access_tokens (shop_id, customer_id, hash, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		t.ShopID, t.CustomerID, t.Hash, s.at(t.ExpiresAt), s.at(t.CreatedAt)).Scan(&t.ID)
	if err != nil {
		return storekeep.AccessToken{}, s.mapErr(err)
	}
	return t, nil
}

// replaceAccessTokens revokes every live access token of c, deleting it,
// and stores t as c's one token.
func (s *Store) replaceAccessTokens(ctx context.Context, q Querier, c storekeep.Customer, t storekeep.AccessToken, now time.Time) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM access_tokens WHERE customer_id = $1 AND revoked_at IS NULL`, c.ID); err != nil {
		return err
	}
	t.ShopID, t.CustomerID = c.ShopID, c.ID
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now
	}
	_, err := s.insertAccessToken(ctx, q, t)
	return err
}

// AccessTokenByHash returns the shop's live token whose hash is one of
// hashes.
func (s *Store) AccessTokenByHash(ctx context.Context, shopID int64, hashes [][]byte, now time.Time) (storekeep.AccessToken, error) {
	if len(hashes) == 0 {
		return storekeep.AccessToken{}, storekeep.ErrNotFound
	}
	in, args := s.d.HashIn("hash", 3, hashes)
	var t storekeep.AccessToken
	err := s.r.QueryRowContext(ctx, `SELECT id, shop_id, customer_id, hash, expires_at, created_at
		FROM access_tokens
		WHERE shop_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND `+in+` LIMIT 1`,
		append(s.planEach(shopID, s.at(now)), args...)...).
		Scan(&t.ID, &t.ShopID, &t.CustomerID, &t.Hash, scanTime(&t.ExpiresAt), scanTime(&t.CreatedAt))
	if err != nil {
		return storekeep.AccessToken{}, s.mapErr(err)
	}
	return t, nil
}

// RenewAccessToken moves a live token's expiry to expiresAt.
func (s *Store) RenewAccessToken(ctx context.Context, id int64, expiresAt, now time.Time) error {
	return affectedOne(s.w.ExecContext(ctx, `UPDATE access_tokens SET expires_at = $1
		WHERE id = $2 AND revoked_at IS NULL AND expires_at > $3`, s.at(expiresAt), id, s.at(now)))
}

// RevokeAccessToken revokes a token that is not revoked yet by deleting
// it, so that signing in and out again and again leaves no rows behind
// (a revoked row would otherwise be kept until it expired and the grace
// after). Rows revoked before this version keep their revoked_at.
func (s *Store) RevokeAccessToken(ctx context.Context, id int64) error {
	return affectedOne(s.w.ExecContext(ctx, `DELETE FROM access_tokens WHERE id = $1 AND revoked_at IS NULL`, id))
}
