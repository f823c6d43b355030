package sqlstore

import (
	"context"
	"slices"

	"github.com/storekeep/storekeep"
)

const addressColumns = `id, shop_id, customer_id, first_name, last_name, company, address1, address2, city,
	province, province_code, country, country_code, zip, phone, is_default, created_at, updated_at`

func (s *Store) scanAddress(row scanner) (storekeep.MailingAddress, error) {
	var a storekeep.MailingAddress
	err := row.Scan(&a.ID, &a.ShopID, &a.CustomerID, &a.FirstName, &a.LastName, &a.Company, &a.Address1, &a.Address2,
		&a.City, &a.Province, &a.ProvinceCode, &a.Country, &a.CountryCode, &a.Zip, &a.Phone, &a.Default,
		scanTime(&a.CreatedAt), scanTime(&a.UpdatedAt))
	return a, s.mapErr(err)
}

// CreateAddress stores a under the customer's row lock, so that two
// concurrent creations cannot both pass the count.
func (s *Store) CreateAddress(ctx context.Context, a storekeep.MailingAddress, max int, e storekeep.AuditEvent) (storekeep.MailingAddress, error) {
	out, _, err := s.createAddress(ctx, a, max, e, false)
	return out, err
}

// CreateAddressOnce implements storekeep.AddressStore.
func (s *Store) CreateAddressOnce(ctx context.Context, a storekeep.MailingAddress, max int, e storekeep.AuditEvent) (storekeep.MailingAddress, bool, error) {
	return s.createAddress(ctx, a, max, e, true)
}

// createAddress is CreateAddress, and CreateAddressOnce when once is set.
func (s *Store) createAddress(ctx context.Context, a storekeep.MailingAddress, max int, e storekeep.AuditEvent, once bool) (storekeep.MailingAddress, bool, error) {
	a.CreatedAt = s.stamp(a.CreatedAt)
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = a.CreatedAt
	}
	var out storekeep.MailingAddress
	created := false
	err := s.w.InTx(ctx, func(tx Querier) error {
		if err := s.lockCustomer(ctx, tx, a.CustomerID); err != nil {
			return err
		}
		if once {
			held, err := s.addresses(ctx, tx, a.ShopID, a.CustomerID)
			if err != nil {
				return err
			}
			if i := slices.IndexFunc(held, a.Same); i >= 0 {
				out = held[i]
				return nil
			}
		}
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(a.id) FROM customers c
			LEFT JOIN customer_addresses a ON a.customer_id = c.id
			WHERE c.shop_id = $1 AND c.id = $2 GROUP BY c.id`, a.ShopID, a.CustomerID).Scan(&n)
		if err != nil {
			return s.mapErr(err)
		}
		if n >= max {
			return storekeep.ErrLimit
		}
		if a.Default = a.Default || n == 0; a.Default {
			if err := s.clearDefault(ctx, tx, a.CustomerID); err != nil {
				return err
			}
		}
		out, err = s.scanAddress(tx.QueryRowContext(ctx, `INSERT INTO customer_addresses (shop_id, customer_id,
				first_name, last_name, company, address1, address2, city, province, province_code, country,
				country_code, zip, phone, is_default, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
			RETURNING `+addressColumns,
			a.ShopID, a.CustomerID, a.FirstName, a.LastName, a.Company, a.Address1, a.Address2, a.City, a.Province,
			a.ProvinceCode, a.Country, a.CountryCode, a.Zip, a.Phone, a.Default, s.at(a.CreatedAt), s.at(a.UpdatedAt)))
		if err != nil {
			return err
		}
		e.Detail = out.GID()
		created = true
		return s.insertAudit(ctx, tx, e)
	})
	return out, created, err
}

// UpdateAddress replaces the address's fields while it still reads as
// read, under the customer's row lock, which every change of the
// customer's addresses takes.
func (s *Store) UpdateAddress(ctx context.Context, a, read storekeep.MailingAddress, e storekeep.AuditEvent) (storekeep.MailingAddress, error) {
	a.UpdatedAt = s.stamp(a.UpdatedAt)
	var out storekeep.MailingAddress
	err := s.w.InTx(ctx, func(tx Querier) error {
		if err := s.lockCustomer(ctx, tx, a.CustomerID); err != nil {
			return err
		}
		held, err := s.scanAddress(tx.QueryRowContext(ctx, `SELECT `+addressColumns+` FROM customer_addresses
			WHERE shop_id = $1 AND customer_id = $2 AND id = $3`, a.ShopID, a.CustomerID, a.ID))
		if err != nil {
			return err
		}
		if !held.Same(read) {
			return storekeep.ErrStale
		}
		out, err = s.scanAddress(tx.QueryRowContext(ctx, `UPDATE customer_addresses SET first_name = $1,
				last_name = $2, company = $3, address1 = $4, address2 = $5, city = $6, province = $7,
				province_code = $8, country = $9, country_code = $10, zip = $11, phone = $12, updated_at = $13
			WHERE shop_id = $14 AND customer_id = $15 AND id = $16 RETURNING `+addressColumns,
			a.FirstName, a.LastName, a.Company, a.Address1, a.Address2, a.City, a.Province, a.ProvinceCode, a.Country,
			a.CountryCode, a.Zip, a.Phone, s.at(a.UpdatedAt), a.ShopID, a.CustomerID, a.ID))
		if err != nil {
			return err
		}
		e.Detail = out.GID()
		return s.insertAudit(ctx, tx, e)
	})
	return out, err
}

// DeleteAddress deletes the address and, when it was the default, makes
// the most recently updated of the rest the default.
func (s *Store) DeleteAddress(ctx context.Context, shopID, customerID, id int64, e storekeep.AuditEvent) error {
	return s.w.InTx(ctx, func(tx Querier) error {
		if err := s.lockCustomer(ctx, tx, customerID); err != nil {
			return err
		}
		var wasDefault bool
		err := tx.QueryRowContext(ctx, `DELETE FROM customer_addresses
			WHERE shop_id = $1 AND customer_id = $2 AND id = $3 RETURNING is_default`, shopID, customerID, id).
			Scan(&wasDefault)
		if err != nil {
			return s.mapErr(err)
		}
		if wasDefault {
			_, err = tx.ExecContext(ctx, `UPDATE customer_addresses SET is_default = $1 WHERE id IN
				(SELECT id FROM customer_addresses WHERE customer_id = $2 ORDER BY updated_at DESC, id DESC LIMIT 1)`,
				true, customerID)
			if err != nil {
				return err
			}
		}
		e.Detail = storekeep.MailingAddressGID(id)
		return s.insertAudit(ctx, tx, e)
	})
}

// SetDefaultAddress moves the customer's default to the address.
func (s *Store) SetDefaultAddress(ctx context.Context, shopID, customerID, id int64, e storekeep.AuditEvent) error {
	return s.w.InTx(ctx, func(tx Querier) error {
		if err := s.lockCustomer(ctx, tx, customerID); err != nil {
			return err
		}
		if err := s.clearDefault(ctx, tx, customerID); err != nil {
			return err
		}
		err := affectedOne(tx.ExecContext(ctx, `UPDATE customer_addresses SET is_default = $1
			WHERE shop_id = $2 AND customer_id = $3 AND id = $4`, true, shopID, customerID, id))
		if err != nil {
			return err
		}
		e.Detail = storekeep.MailingAddressGID(id)
		return s.insertAudit(ctx, tx, e)
	})
}

func (s *Store) clearDefault(ctx context.Context, tx Querier, customerID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE customer_addresses SET is_default = $1
		WHERE customer_id = $2 AND is_default`, false, customerID)
	return err
}

// Address returns one of a customer's addresses.
func (s *Store) Address(ctx context.Context, shopID, customerID, id int64) (storekeep.MailingAddress, error) {
	return s.scanAddress(s.r.QueryRowContext(ctx, `SELECT `+addressColumns+` FROM customer_addresses
		WHERE shop_id = $1 AND customer_id = $2 AND id = $3`, shopID, customerID, id))
}

// Addresses lists a customer's addresses by id.
func (s *Store) Addresses(ctx context.Context, shopID, customerID int64) ([]storekeep.MailingAddress, error) {
	return s.addresses(ctx, s.r, shopID, customerID)
}

// addresses reads a customer's addresses through q.
func (s *Store) addresses(ctx context.Context, q Querier, shopID, customerID int64) ([]storekeep.MailingAddress, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+addressColumns+` FROM customer_addresses
		WHERE shop_id = $1 AND customer_id = $2 ORDER BY id`, shopID, customerID)
	return collect(rows, err, s.scanAddress)
}
