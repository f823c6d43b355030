package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/storekeep/storekeep"
)

// lockCustomer takes the customer's row lock for the rest of the
// transaction. Every transaction that changes a customer's tokens takes it
// first, so two of them on one customer run one after the other, and
// always lock rows in the same order: customer, then its tokens. FOR NO
// KEY UPDATE does not block inserts that merely reference the customer.
func lockCustomer(ctx context.Context, tx pgx.Tx, customerID int64) error {
	_, err := tx.Exec(ctx, `SELECT 1 FROM customers WHERE id = $1 FOR NO KEY UPDATE`, customerID)
	return err
}

// IssueCustomerToken voids the customer's unused tokens of t's purpose,
// stores t, queues m and records a, in one transaction. The customer's row
// lock makes concurrent issues for one customer take turns, so the later
// one's UPDATE, which under READ COMMITTED sees every row committed before
// it starts, voids the earlier one's token: at most one stays unused.
func (s *Store) IssueCustomerToken(ctx context.Context, t storekeep.CustomerToken, m storekeep.Mail, a storekeep.AuditEvent, job int64) error {
	t.CreatedAt = stamp(t.CreatedAt)
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if job != 0 {
			tag, err := tx.Exec(ctx, `UPDATE outbox
				SET status = 'sent', sent_at = $1, data = NULL, claimed_until = NULL
				WHERE id = $2 AND status = 'pending'`, t.CreatedAt, job)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return storekeep.ErrJobDone
			}
		}
		if err := lockCustomer(ctx, tx, t.CustomerID); err != nil {
			return err
		}
		if err := spendTokens(ctx, tx, t.CustomerID, t.Purpose, t.CreatedAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO customer_tokens (shop_id, customer_id, purpose, hash, expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			t.ShopID, t.CustomerID, t.Purpose, t.Hash, t.ExpiresAt, t.CreatedAt); err != nil {
			return mapErr(err)
		}
		if _, err := s.insertMail(ctx, tx, m); err != nil {
			return err
		}
		return insertAudit(ctx, tx, a)
	})
}

func spendTokens(ctx context.Context, q querier, customerID int64, purpose storekeep.TokenPurpose, at time.Time) error {
	_, err := q.Exec(ctx, `UPDATE customer_tokens SET used_at = $1
		WHERE customer_id = $2 AND purpose = $3 AND used_at IS NULL`, at, customerID, purpose)
	return err
}

// CustomerTokenByHash returns the shop's unused token of purpose whose hash
// is one of hashes, expired or not.
func (s *Store) CustomerTokenByHash(ctx context.Context, shopID int64, purpose storekeep.TokenPurpose, hashes [][]byte) (storekeep.CustomerToken, error) {
	if len(hashes) == 0 {
		return storekeep.CustomerToken{}, storekeep.ErrNotFound
	}
	var t storekeep.CustomerToken
	var expires, created time.Time
	err := s.pool.QueryRow(ctx, `SELECT id, shop_id, customer_id, purpose, hash, expires_at, created_at
		FROM customer_tokens
		WHERE shop_id = $1 AND purpose = $2 AND used_at IS NULL AND hash = ANY($3) LIMIT 1`, shopID, purpose, hashes).
		Scan(&t.ID, &t.ShopID, &t.CustomerID, &t.Purpose, &t.Hash, &expires, &created)
	if err != nil {
		return storekeep.CustomerToken{}, mapErr(err)
	}
	t.ExpiresAt, t.CreatedAt = fromTime(expires), fromTime(created)
	return t, nil
}

// RedeemCustomerToken spends r.Token and, with it, sets the customer's
// password, enables the account, replaces its access tokens, queues
// r.Mail and records r.Audit, in one READ COMMITTED transaction.
//
// The conditional UPDATE ... WHERE id = $1 AND used_at IS NULL AND
// expires_at > $now decides who wins, and it is race-free in PostgreSQL:
// an UPDATE locks each row it changes until its transaction ends, and a
// concurrent UPDATE of that row waits for the lock; when the holder
// commits, the waiter re-evaluates its WHERE clause against the row's new
// version (EvalPlanQual) rather than its own snapshot, finds used_at set
// and changes nothing. If the holder rolls back, the waiter sees the row
// unchanged and may win instead. So exactly one transaction ever changes
// the row, and the others roll back with storekeep.ErrTokenSpent. The
// customer's row lock, taken first, only orders this transaction against
// others on the same customer (see lockCustomer); it decides nothing.
func (s *Store) RedeemCustomerToken(ctx context.Context, r storekeep.Redemption) (storekeep.Customer, error) {
	var c storekeep.Customer
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockCustomer(ctx, tx, r.Token.CustomerID); err != nil {
			return err
		}
		err := affectedOne(tx.Exec(ctx, `UPDATE customer_tokens SET used_at = $1
			WHERE id = $2 AND shop_id = $3 AND customer_id = $4 AND purpose = $5 AND used_at IS NULL AND expires_at > $1`,
			r.Now, r.Token.ID, r.Token.ShopID, r.Token.CustomerID, r.Token.Purpose))
		if errors.Is(err, storekeep.ErrNotFound) {
			return storekeep.ErrTokenSpent
		}
		if err != nil {
			return err
		}
		if err := spendTokens(ctx, tx, r.Token.CustomerID, r.Token.Purpose, r.Now); err != nil {
			return err
		}
		c, err = scanCustomer(tx.QueryRow(ctx, `UPDATE customers SET password_hash = $1, state = $2, updated_at = $3
			WHERE shop_id = $4 AND id = $5 RETURNING `+customerColumns,
			r.PasswordHash, storekeep.CustomerEnabled, r.Now, r.Token.ShopID, r.Token.CustomerID))
		if err != nil {
			return fmt.Errorf("postgres: redeem token %d: customer: %w", r.Token.ID, err)
		}
		if err := replaceAccessTokens(ctx, tx, c, r.AccessToken, r.Now); err != nil {
			return err
		}
		if r.Mail != nil {
			if _, err := s.insertMail(ctx, tx, *r.Mail); err != nil {
				return err
			}
		}
		return insertAudit(ctx, tx, r.Audit)
	})
	if err != nil {
		return storekeep.Customer{}, err
	}
	return c, nil
}
