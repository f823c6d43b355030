package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/storekeep/storekeep"
)

// MultipassSecret opens the shop's sealed secret.
func (s *Store) MultipassSecret(ctx context.Context, shopID int64) (string, error) {
	var sealed []byte
	err := s.r.QueryRowContext(ctx, `SELECT multipass_secret FROM shops WHERE id = $1`, shopID).Scan(&sealed)
	if err != nil || len(sealed) == 0 {
		return "", s.mapErr(err)
	}
	plain, err := s.sealer.Open(sealed)
	if err != nil {
		return "", fmt.Errorf("%s: shop %d multipass secret: %w", s.d.Name, shopID, err)
	}
	return string(plain), nil
}

// SpendMultipassToken deletes the expired records and stores every one of
// hashes unless one of them is recorded: a node whose ring lacks the
// newest key still finds the token spent, and the primary key on hash
// decides between concurrent spends. The expiry is rounded up to the database's
// precision, so the record outlives every instant before expiresAt.
func (s *Store) SpendMultipassToken(ctx context.Context, shopID int64, hashes [][]byte, expiresAt, now time.Time) error {
	if len(hashes) == 0 {
		return errors.New("sqlstore: SpendMultipassToken without a hash")
	}
	err := s.w.InTx(ctx, func(tx Querier) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM multipass_tokens WHERE expires_at <= $1`, s.at(now)); err != nil {
			return err
		}
		in, args := s.d.HashIn("hash", 2, hashes)
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM multipass_tokens WHERE shop_id = $1 AND `+in+` LIMIT 1`,
			append(s.planEach(shopID), args...)...).Scan(&one)
		if err == nil {
			return storekeep.ErrTokenSpent
		}
		if err = s.mapErr(err); !errors.Is(err, storekeep.ErrNotFound) {
			return err
		}
		for _, h := range hashes {
			_, err = tx.ExecContext(ctx, `INSERT INTO multipass_tokens (hash, shop_id, expires_at) VALUES ($1, $2, $3)`,
				h, shopID, s.at(s.roundUp(expiresAt)))
			if err != nil {
				return s.mapErr(err)
			}
		}
		return nil
	})
	if errors.Is(err, storekeep.ErrConflict) {
		return storekeep.ErrTokenSpent
	}
	return err
}

// CustomerByMultipassIdentifier returns the shop's customer with that
// identifier.
func (s *Store) CustomerByMultipassIdentifier(ctx context.Context, shopID int64, identifier string) (storekeep.Customer, error) {
	return s.scanCustomer(s.r.QueryRowContext(ctx, `SELECT `+customerColumns+` FROM customers
		WHERE shop_id = $1 AND id = (
			SELECT customer_id FROM multipass_identities WHERE shop_id = $1 AND identifier = $2)`, shopID, identifier))
}

// MultipassIdentifier returns the customer's identifier, or "".
func (s *Store) MultipassIdentifier(ctx context.Context, shopID, customerID int64) (string, error) {
	var id string
	err := s.r.QueryRowContext(ctx, `SELECT identifier FROM multipass_identities WHERE shop_id = $1 AND customer_id = $2`,
		shopID, customerID).Scan(&id)
	if err = s.mapErr(err); errors.Is(err, storekeep.ErrNotFound) {
		return "", nil
	}
	return id, err
}

// SetMultipassIdentifier replaces the customer's identifier in one
// transaction; the primary key on (shop, identifier) refuses one that
// another customer has. "" removes it. The customer's row lock makes
// concurrent calls for one customer take turns, so that the later does
// not meet the earlier's uncommitted row as another customer's.
func (s *Store) SetMultipassIdentifier(ctx context.Context, shopID, customerID int64, identifier string) error {
	return s.w.InTx(ctx, func(tx Querier) error {
		if err := s.lockCustomer(ctx, tx, customerID); err != nil {
			return err
		}
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM customers WHERE shop_id = $1 AND id = $2`, shopID, customerID).Scan(&one)
		if err != nil {
			return s.mapErr(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM multipass_identities WHERE customer_id = $1`, customerID); err != nil {
			return err
		}
		if identifier == "" {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO multipass_identities (shop_id, identifier, customer_id) VALUES ($1, $2, $3)`,
			shopID, identifier, customerID)
		return s.mapErr(err)
	})
}
