package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/storekeep/storekeep"
)

const customerColumns = `id, shop_id, email, email_key, first_name, last_name, phone, accepts_marketing, tags,
	state, password_hash, number_of_orders, email_verified_at, created_at, updated_at, version`

func (s *Store) scanCustomer(row scanner) (storekeep.Customer, error) {
	var c storekeep.Customer
	var tags []byte
	err := row.Scan(&c.ID, &c.ShopID, &c.Email, &c.EmailKey, &c.FirstName, &c.LastName, &c.Phone, &c.AcceptsMarketing,
		&tags, &c.State, &c.PasswordHash, &c.NumberOfOrders, scanTime(&c.EmailVerifiedAt), scanTime(&c.CreatedAt), scanTime(&c.UpdatedAt),
		&c.Version)
	if err != nil {
		return storekeep.Customer{}, s.mapErr(err)
	}
	if c.Tags, err = fromJSON[string](tags); err != nil {
		return storekeep.Customer{}, fmt.Errorf("%s: customer %d tags: %w", s.d.Name, c.ID, err)
	}
	return c, nil
}

// CreateCustomer stores c and queues jobs, in one transaction;
// storekeep.ErrConflict when its EmailKey is taken in the shop.
func (s *Store) CreateCustomer(ctx context.Context, c storekeep.Customer, jobs ...storekeep.Job) (storekeep.Customer, error) {
	if len(jobs) == 0 {
		return s.insertCustomer(ctx, s.w, c)
	}
	var out storekeep.Customer
	err := s.w.InTx(ctx, func(tx Querier) error {
		var err error
		if out, err = s.insertCustomer(ctx, tx, c); err != nil {
			return err
		}
		for _, j := range jobs {
			if _, err := s.enqueueJob(ctx, tx, j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return storekeep.Customer{}, err
	}
	return out, nil
}

func (s *Store) insertCustomer(ctx context.Context, q Querier, c storekeep.Customer) (storekeep.Customer, error) {
	tags, err := toJSON(c.Tags)
	if err != nil {
		return storekeep.Customer{}, err
	}
	c.CreatedAt = s.stamp(c.CreatedAt)
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	return s.scanCustomer(q.QueryRowContext(ctx, `INSERT INTO customers (shop_id, email, email_key, first_name,
			last_name, phone, accepts_marketing, tags, state, password_hash, number_of_orders, email_verified_at,
			created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING `+customerColumns,
		c.ShopID, c.Email, c.EmailKey, c.FirstName, c.LastName, c.Phone, c.AcceptsMarketing, tags, c.State,
		c.PasswordHash, c.NumberOfOrders, s.atOrNull(c.EmailVerifiedAt), s.at(c.CreatedAt), s.at(c.UpdatedAt)))
}

// CustomerByID returns a shop's customer.
func (s *Store) CustomerByID(ctx context.Context, shopID, id int64) (storekeep.Customer, error) {
	return s.scanCustomer(s.r.QueryRowContext(ctx,
		`SELECT `+customerColumns+` FROM customers WHERE shop_id = $1 AND id = $2`, shopID, id))
}

// CustomerByEmail returns the shop's customer whose EmailKey is key.
func (s *Store) CustomerByEmail(ctx context.Context, shopID int64, key string) (storekeep.Customer, error) {
	return s.scanCustomer(s.r.QueryRowContext(ctx,
		`SELECT `+customerColumns+` FROM customers WHERE shop_id = $1 AND email_key = $2`, shopID, key))
}

// CustomersByEmail returns the shop's customers whose EmailKey is one of
// keys, in no particular order, in one statement.
func (s *Store) CustomersByEmail(ctx context.Context, shopID int64, keys []string) ([]storekeep.Customer, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	list, err := s.d.List(keys)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+customerColumns+` FROM customers
		WHERE shop_id = $1 AND `+s.d.ListIn("email_key", "$2"), s.planEach(shopID, list)...)
	return collect(rows, err, s.scanCustomer)
}

// UpdateCustomer replaces every field of the customer but its ID, ShopID,
// CreatedAt, EmailVerifiedAt and Version, to which it adds one, and, in
// the same transaction, rotates its access tokens and queues a mail when
// u asks for them. A new EmailKey spends the customer's unused one-time
// tokens and clears EmailVerifiedAt, unless u.VerifyEmail vouches for the
// address; a new PasswordHash spends its unused reset tokens. The
// customer's row lock is taken first, as every transaction that touches a
// customer's tokens does.
func (s *Store) UpdateCustomer(ctx context.Context, u storekeep.CustomerUpdate) (storekeep.Customer, error) {
	c := u.Customer
	tags, err := toJSON(c.Tags)
	if err != nil {
		return storekeep.Customer{}, err
	}
	c.UpdatedAt = s.stamp(c.UpdatedAt)
	var out storekeep.Customer
	err = s.w.InTx(ctx, func(tx Querier) error {
		if err := s.lockCustomerAndHolder(ctx, tx, c, u.Read.EmailKey != c.EmailKey); err != nil {
			return err
		}
		if err := s.unchangedSince(ctx, tx, u.Read, c.ShopID, c.ID); err != nil {
			return err
		}
		var verified any
		if u.VerifyEmail {
			verified = s.at(c.UpdatedAt)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE customer_tokens SET used_at = $1
			WHERE customer_id = $2 AND used_at IS NULL
				AND customer_id IN (SELECT id FROM customers WHERE id = $2 AND shop_id = $3 AND email_key <> $4)`,
			s.at(c.UpdatedAt), c.ID, c.ShopID, c.EmailKey); err != nil {
			return err
		}
		// A new password (unchangedSince has checked the row still has
		// u.Read's) spends the reset links mailed before it.
		if c.PasswordHash != u.Read.PasswordHash {
			if err := s.spendTokens(ctx, tx, c.ID, storekeep.PurposeReset, c.UpdatedAt); err != nil {
				return err
			}
		}
		var err error
		out, err = s.scanCustomer(tx.QueryRowContext(ctx, `UPDATE customers SET email = $1, email_key = $2,
				first_name = $3, last_name = $4, phone = $5, accepts_marketing = $6, tags = $7, state = $8,
				password_hash = $9, number_of_orders = $10, updated_at = $11, version = version + 1,
				email_verified_at = CASE WHEN email_key = $2 THEN COALESCE(email_verified_at, $14) ELSE $14 END
			WHERE shop_id = $12 AND id = $13 RETURNING `+customerColumns,
			c.Email, c.EmailKey, c.FirstName, c.LastName, c.Phone, c.AcceptsMarketing, tags, c.State, c.PasswordHash,
			c.NumberOfOrders, s.at(c.UpdatedAt), c.ShopID, c.ID, verified))
		if err != nil {
			return err
		}
		if u.AccessToken != nil {
			if err := s.replaceAccessTokens(ctx, tx, out, *u.AccessToken, c.UpdatedAt); err != nil {
				return err
			}
		}
		for _, m := range u.Mails {
			if _, err := s.insertMail(ctx, tx, m); err != nil {
				return err
			}
		}
		for _, e := range u.Audit {
			if err := s.insertAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return storekeep.Customer{}, err
	}
	return out, nil
}

// lockCustomerAndHolder takes c's row lock and, when newKey says c takes
// an address and the dialect has row locks, that of the customer holding
// the address now, in the order of their ids. Two customers that swap
// addresses at once then take turns and the later gets ErrConflict,
// instead of each UPDATE waiting on the other's in the unique index
// (PostgreSQL: a deadlock).
func (s *Store) lockCustomerAndHolder(ctx context.Context, tx Querier, c storekeep.Customer, newKey bool) error {
	ids := []int64{c.ID}
	if newKey && s.d.LockCustomer != "" {
		var holder int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM customers WHERE shop_id = $1 AND email_key = $2 AND id <> $3`,
			c.ShopID, c.EmailKey, c.ID).Scan(&holder)
		switch {
		case err == nil:
			ids = append(ids, holder)
			slices.Sort(ids)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	for _, id := range ids {
		if err := s.lockCustomer(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

// unchangedSince returns storekeep.ErrStale unless the customer still has
// read's version, storekeep.ErrNotFound when it is not the shop's. Every
// write of this store adds one to the version, even two writes stamped
// with one updated_at. The password hash, state and updated_at are
// compared too, for the writes of nodes still running a release from
// before the version (during a rolling upgrade), which leave it as it is.
func (s *Store) unchangedSince(ctx context.Context, tx Querier, read storekeep.Customer, shopID, id int64) error {
	var version int64
	var hash string
	var state storekeep.CustomerState
	var updated time.Time
	err := tx.QueryRowContext(ctx, `SELECT version, password_hash, state, updated_at FROM customers
		WHERE shop_id = $1 AND id = $2`, shopID, id).Scan(&version, &hash, &state, scanTime(&updated))
	if err != nil {
		return s.mapErr(err)
	}
	if version != read.Version || hash != read.PasswordHash || state != read.State || !updated.Equal(read.UpdatedAt) {
		return storekeep.ErrStale
	}
	return nil
}

// ReserveCustomerID uses up the id the next CreateCustomer would get,
// running the dialect's ReserveCustomerID statements, and queues jobs, in
// one transaction.
func (s *Store) ReserveCustomerID(ctx context.Context, jobs ...storekeep.Job) (int64, error) {
	var id int64
	err := s.w.InTx(ctx, func(tx Querier) error {
		last := len(s.d.ReserveCustomerID) - 1
		for _, q := range s.d.ReserveCustomerID[:last] {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, s.d.ReserveCustomerID[last]).Scan(&id); err != nil {
			return err
		}
		for _, j := range jobs {
			if _, err := s.enqueueJob(ctx, tx, j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("%s: reserve a customer id: %w", s.d.Name, err)
	}
	return id, nil
}

// ReplacePasswordHash sets the customer's password hash to newHash if it
// is still old, counting a write in its version.
func (s *Store) ReplacePasswordHash(ctx context.Context, shopID, id int64, old, newHash string) error {
	return affectedOne(s.w.ExecContext(ctx, `UPDATE customers SET password_hash = $1, version = version + 1
		WHERE shop_id = $2 AND id = $3 AND password_hash = $4`, newHash, shopID, id, old))
}
