package sqlite

import (
	"context"
	"fmt"

	"github.com/storekeep/storekeep"
)

const customerColumns = `id, shop_id, email, email_key, first_name, last_name, phone, accepts_marketing, tags,
	state, password_hash, number_of_orders, created_at, updated_at`

func scanCustomer(row scanner) (storekeep.Customer, error) {
	var c storekeep.Customer
	var tags string
	var created, updated int64
	err := row.Scan(&c.ID, &c.ShopID, &c.Email, &c.EmailKey, &c.FirstName, &c.LastName, &c.Phone, &c.AcceptsMarketing,
		&tags, &c.State, &c.PasswordHash, &c.NumberOfOrders, &created, &updated)
	if err != nil {
		return storekeep.Customer{}, mapErr(err)
	}
	c.CreatedAt, c.UpdatedAt = fromUnix(created), fromUnix(updated)
	if c.Tags, err = fromJSON[string](tags); err != nil {
		return storekeep.Customer{}, fmt.Errorf("sqlite: customer %d tags: %w", c.ID, err)
	}
	return c, nil
}

// CreateCustomer stores c; storekeep.ErrConflict when its EmailKey is
// taken in the shop.
func (s *Store) CreateCustomer(ctx context.Context, c storekeep.Customer) (storekeep.Customer, error) {
	tags, err := toJSON(c.Tags)
	if err != nil {
		return storekeep.Customer{}, err
	}
	c.CreatedAt = stamp(c.CreatedAt)
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	return scanCustomer(s.writer.QueryRowContext(ctx, `INSERT INTO customers (shop_id, email, email_key, first_name,
			last_name, phone, accepts_marketing, tags, state, password_hash, number_of_orders, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+customerColumns,
		c.ShopID, c.Email, c.EmailKey, c.FirstName, c.LastName, c.Phone, c.AcceptsMarketing, tags, c.State,
		c.PasswordHash, c.NumberOfOrders, toUnix(c.CreatedAt), toUnix(c.UpdatedAt)))
}

// CustomerByID returns a shop's customer.
func (s *Store) CustomerByID(ctx context.Context, shopID, id int64) (storekeep.Customer, error) {
	return scanCustomer(s.reader.QueryRowContext(ctx,
		`SELECT `+customerColumns+` FROM customers WHERE shop_id = ? AND id = ?`, shopID, id))
}

// CustomerByEmail returns the shop's customer whose EmailKey is key.
func (s *Store) CustomerByEmail(ctx context.Context, shopID int64, key string) (storekeep.Customer, error) {
	return scanCustomer(s.reader.QueryRowContext(ctx,
		`SELECT `+customerColumns+` FROM customers WHERE shop_id = ? AND email_key = ?`, shopID, key))
}

// UpdateCustomer replaces every field of the customer but its ID, ShopID
// and CreatedAt and, in the same transaction, rotates its access tokens
// and queues a mail when u asks for them.
func (s *Store) UpdateCustomer(ctx context.Context, u storekeep.CustomerUpdate) (storekeep.Customer, error) {
	c := u.Customer
	tags, err := toJSON(c.Tags)
	if err != nil {
		return storekeep.Customer{}, err
	}
	c.UpdatedAt = stamp(c.UpdatedAt)
	var out storekeep.Customer
	err = s.inTx(ctx, func(tx *txn) error {
		var err error
		out, err = scanCustomer(tx.QueryRowContext(ctx, `UPDATE customers SET email = ?, email_key = ?, first_name = ?,
				last_name = ?, phone = ?, accepts_marketing = ?, tags = ?, state = ?, password_hash = ?,
				number_of_orders = ?, updated_at = ?
			WHERE shop_id = ? AND id = ? RETURNING `+customerColumns,
			c.Email, c.EmailKey, c.FirstName, c.LastName, c.Phone, c.AcceptsMarketing, tags, c.State, c.PasswordHash,
			c.NumberOfOrders, toUnix(c.UpdatedAt), c.ShopID, c.ID))
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
		return nil
	})
	if err != nil {
		return storekeep.Customer{}, err
	}
	return out, nil
}
