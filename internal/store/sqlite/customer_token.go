package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/storekeep/storekeep"
)

// IssueCustomerToken voids the customer's unused tokens of t's purpose,
// stores t, queues m and records a, in one transaction.
func (s *Store) IssueCustomerToken(ctx context.Context, t storekeep.CustomerToken, m storekeep.Mail, a storekeep.AuditEvent, job int64) error {
	t.CreatedAt = stamp(t.CreatedAt)
	return s.inTx(ctx, func(tx *txn) error {
		if job != 0 {
			err := affectedOne(tx.ExecContext(ctx, `UPDATE outbox
				SET status = 'sent', sent_at = ?, data = NULL, claimed_until = NULL
				WHERE id = ? AND status = 'pending'`, toUnix(t.CreatedAt), job))
			if errors.Is(err, storekeep.ErrNotFound) {
				return storekeep.ErrJobDone
			}
			if err != nil {
				return err
			}
		}
		if err := spendTokens(ctx, tx, t.CustomerID, t.Purpose, toUnix(t.CreatedAt)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO customer_tokens (shop_id, customer_id, purpose, hash, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`,
			t.ShopID, t.CustomerID, t.Purpose, t.Hash, toUnix(t.ExpiresAt), toUnix(t.CreatedAt)); err != nil {
			return mapErr(err)
		}
		if _, err := s.insertMail(ctx, tx, m); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, a)
	})
}

func spendTokens(ctx context.Context, q querier, customerID int64, purpose storekeep.TokenPurpose, at int64) error {
	_, err := q.ExecContext(ctx, `UPDATE customer_tokens SET used_at = ?
		WHERE customer_id = ? AND purpose = ? AND used_at IS NULL`, at, customerID, purpose)
	return err
}

// CustomerTokenByHash returns the shop's unused token of purpose whose hash
// is one of hashes, expired or not.
func (s *Store) CustomerTokenByHash(ctx context.Context, shopID int64, purpose storekeep.TokenPurpose, hashes [][]byte) (storekeep.CustomerToken, error) {
	if len(hashes) == 0 {
		return storekeep.CustomerToken{}, storekeep.ErrNotFound
	}
	in, args := hashSet(hashes, shopID, purpose)
	var t storekeep.CustomerToken
	var expires, created int64
	err := s.reader.QueryRowContext(ctx, `SELECT id, shop_id, customer_id, purpose, hash, expires_at, created_at
		FROM customer_tokens
		WHERE shop_id = ? AND purpose = ? AND used_at IS NULL AND hash IN (`+in+`) LIMIT 1`, args...).
		Scan(&t.ID, &t.ShopID, &t.CustomerID, &t.Purpose, &t.Hash, &expires, &created)
	if err != nil {
		return storekeep.CustomerToken{}, mapErr(err)
	}
	t.ExpiresAt, t.CreatedAt = fromUnix(expires), fromUnix(created)
	return t, nil
}

// RedeemCustomerToken spends r.Token and, with it, sets the customer's
// password, enables the account, replaces its access tokens, queues
// r.Mail and records r.Audit. The conditional update that marks the token
// used decides: when it changes no row the token was used, voided or has
// expired, and the transaction rolls back with storekeep.ErrTokenSpent.
func (s *Store) RedeemCustomerToken(ctx context.Context, r storekeep.Redemption) (storekeep.Customer, error) {
	now := toUnix(r.Now)
	var c storekeep.Customer
	err := s.inTx(ctx, func(tx *txn) error {
		err := affectedOne(tx.ExecContext(ctx, `UPDATE customer_tokens SET used_at = ?
			WHERE id = ? AND shop_id = ? AND customer_id = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?`,
			now, r.Token.ID, r.Token.ShopID, r.Token.CustomerID, r.Token.Purpose, now))
		if errors.Is(err, storekeep.ErrNotFound) {
			return storekeep.ErrTokenSpent
		}
		if err != nil {
			return err
		}
		if err := spendTokens(ctx, tx, r.Token.CustomerID, r.Token.Purpose, now); err != nil {
			return err
		}
		c, err = scanCustomer(tx.QueryRowContext(ctx, `UPDATE customers SET password_hash = ?, state = ?, updated_at = ?
			WHERE shop_id = ? AND id = ? RETURNING `+customerColumns,
			r.PasswordHash, storekeep.CustomerEnabled, now, r.Token.ShopID, r.Token.CustomerID))
		if err != nil {
			return fmt.Errorf("sqlite: redeem token %d: customer: %w", r.Token.ID, err)
		}
		if err := s.replaceAccessTokens(ctx, tx, c, r.AccessToken, r.Now); err != nil {
			return err
		}
		if r.Mail != nil {
			if _, err := s.insertMail(ctx, tx, *r.Mail); err != nil {
				return err
			}
		}
		return s.insertAudit(ctx, tx, r.Audit)
	})
	if err != nil {
		return storekeep.Customer{}, err
	}
	return c, nil
}
