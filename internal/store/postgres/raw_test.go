package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/store/postgres/pgtest"
)

// reopenable is a store under test that implements storetest.Reopener.
type reopenable struct {
	*Store
	url string
}

func (r reopenable) Reopen(ctx context.Context, sealer storekeep.Sealer) (storekeep.Store, error) {
	return Open(ctx, r.url, Options{Sealer: sealer})
}

// ContainsRaw implements storetest.Raw: it searches every text, bytea and
// jsonb column of every table of the store's schema for needle.
func (r reopenable) ContainsRaw(ctx context.Context, needle []byte) (bool, error) {
	conn, err := pgx.Connect(ctx, r.url)
	if err != nil {
		return false, err
	}
	defer conn.Close(ctx)
	return pgtest.Search(ctx, conn, needle)
}

// RawMailData implements storetest.Raw.
func (s *Store) RawMailData(ctx context.Context, id int64) ([]byte, error) {
	var data []byte
	err := s.db.QueryRowContext(ctx, `SELECT data FROM outbox WHERE id = $1`, id).Scan(&data)
	return data, err
}

// InsertLegacyCustomer implements storetest.LegacyCustomers.
func (s *Store) InsertLegacyCustomer(ctx context.Context, shopID int64, email, key string) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO customers (shop_id, email, email_key, first_name, last_name, phone,
			accepts_marketing, tags, state, password_hash, number_of_orders, created_at, updated_at)
		VALUES ($1, $2, $3, '', '', '', FALSE, '[]', 'enabled', '', 0, now(), now()) RETURNING id`, shopID, email, key).Scan(&id)
	return id, err
}

// LegacyCustomerEmail implements storetest.LegacyCustomers.
func (s *Store) LegacyCustomerEmail(ctx context.Context, shopID int64, key string) (string, error) {
	var email string
	err := s.db.QueryRowContext(ctx, `SELECT email FROM customers WHERE shop_id = $1 AND email_key = $2`,
		shopID, key).Scan(&email)
	return email, err
}

// InsertLegacyOrder implements storetest.LegacyOrders.
func (s *Store) InsertLegacyOrder(ctx context.Context, shopID, id, customerID int64, emailKey string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO orders (shop_id, id, customer_id, email_key, deleted, processed_at,
			updated_at, total_milli, financial_status, fulfillment_status, details)
		VALUES ($1, $2, $3, $4, FALSE, now(), now(), 0, '', '', '{}')`, shopID, id, customerID, emailKey)
	return err
}
