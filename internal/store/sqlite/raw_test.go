package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
)

// ContainsRaw implements storetest.Raw: it scans every column of every
// table for needle.
func (s *Store) ContainsRaw(ctx context.Context, needle []byte) (bool, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table'`)
	if err != nil {
		return false, err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return false, err
		}
		tables = append(tables, name)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return false, err
	}
	for _, table := range tables {
		found, err := s.tableContains(ctx, table, needle)
		if found || err != nil {
			return found, err
		}
	}
	return false, nil
}

func (s *Store) tableContains(ctx context.Context, table string, needle []byte) (bool, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return false, err
	}
	values := make([]sql.RawBytes, len(cols))
	dest := make([]any, len(cols))
	for i := range values {
		dest[i] = &values[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return false, err
		}
		for _, v := range values {
			if bytes.Contains(v, needle) {
				return true, nil
			}
		}
	}
	return false, rows.Err()
}

// RawMailData implements storetest.Raw.
func (s *Store) RawMailData(ctx context.Context, id int64) ([]byte, error) {
	var data []byte
	err := s.reader.QueryRowContext(ctx, `SELECT data FROM outbox WHERE id = $1`, id).Scan(&data)
	return data, err
}

// InsertLegacyCustomer implements storetest.LegacyCustomers.
func (s *Store) InsertLegacyCustomer(ctx context.Context, shopID int64, email, key string) (int64, error) {
	var id int64
	err := s.writer.QueryRowContext(ctx, `INSERT INTO customers (shop_id, email, email_key, first_name, last_name, phone,
			accepts_marketing, tags, state, password_hash, number_of_orders, created_at, updated_at)
		VALUES ($1, $2, $3, '', '', '', 0, '[]', 'enabled', '', 0, 1767225600000000000, 1767225600000000000) RETURNING id`, shopID, email, key).Scan(&id)
	return id, err
}

// LegacyCustomerEmail implements storetest.LegacyCustomers.
func (s *Store) LegacyCustomerEmail(ctx context.Context, shopID int64, key string) (string, error) {
	var email string
	err := s.reader.QueryRowContext(ctx, `SELECT email FROM customers WHERE shop_id = $1 AND email_key = $2`,
		shopID, key).Scan(&email)
	return email, err
}

// InsertLegacyOrder implements storetest.LegacyOrders.
func (s *Store) InsertLegacyOrder(ctx context.Context, shopID, id, customerID int64, emailKey string) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO orders (shop_id, id, customer_id, email_key, deleted, processed_at,
			updated_at, total_milli, financial_status, fulfillment_status, details)
		VALUES ($1, $2, $3, $4, 0, 0, 0, 0, '', '', '{}')`, shopID, id, customerID, emailKey)
	return err
}
