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
