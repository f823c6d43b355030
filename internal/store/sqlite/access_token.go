package sqlite

import (
	"context"
	"time"

	"github.com/storekeep/storekeep"
)

// CreateAccessToken stores t; storekeep.ErrConflict if its hash exists.
func (s *Store) CreateAccessToken(ctx context.Context, t storekeep.AccessToken) (storekeep.AccessToken, error) {
	return s.insertAccessToken(ctx, s.writer, t)
}

func (s *Store) insertAccessToken(ctx context.Context, q querier, t storekeep.AccessToken) (storekeep.AccessToken, error) {
	t.CreatedAt = stamp(t.CreatedAt)
	err := q.QueryRowContext(ctx, `INSERT INTO access_tokens (shop_id, customer_id, hash, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`,
		t.ShopID, t.CustomerID, t.Hash, toUnix(t.ExpiresAt), toUnix(t.CreatedAt)).Scan(&t.ID)
	if err != nil {
		return storekeep.AccessToken{}, mapErr(err)
	}
	return t, nil
}

// replaceAccessTokens revokes every live access token of c at now and
// stores t as c's one token.
func (s *Store) replaceAccessTokens(ctx context.Context, q querier, c storekeep.Customer, t storekeep.AccessToken, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE access_tokens SET revoked_at = ? WHERE customer_id = ? AND revoked_at IS NULL`,
		toUnix(now), c.ID); err != nil {
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
	in, args := hashSet(hashes, shopID, toUnix(now))
	var t storekeep.AccessToken
	var expires, created int64
	err := s.reader.QueryRowContext(ctx, `SELECT id, shop_id, customer_id, hash, expires_at, created_at
		FROM access_tokens
		WHERE shop_id = ? AND revoked_at IS NULL AND expires_at > ? AND hash IN (`+in+`) LIMIT 1`, args...).
		Scan(&t.ID, &t.ShopID, &t.CustomerID, &t.Hash, &expires, &created)
	if err != nil {
		return storekeep.AccessToken{}, mapErr(err)
	}
	t.ExpiresAt, t.CreatedAt = fromUnix(expires), fromUnix(created)
	return t, nil
}

// RenewAccessToken moves a live token's expiry to expiresAt.
func (s *Store) RenewAccessToken(ctx context.Context, id int64, expiresAt, now time.Time) error {
	return affectedOne(s.writer.ExecContext(ctx, `UPDATE access_tokens SET expires_at = ?
		WHERE id = ? AND revoked_at IS NULL AND expires_at > ?`, toUnix(expiresAt), id, toUnix(now)))
}

// RevokeAccessToken revokes a token that is not revoked yet.
func (s *Store) RevokeAccessToken(ctx context.Context, id int64, now time.Time) error {
	return affectedOne(s.writer.ExecContext(ctx, `UPDATE access_tokens SET revoked_at = ?
		WHERE id = ? AND revoked_at IS NULL`, toUnix(now), id))
}
