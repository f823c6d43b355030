package sqlstore

import (
	"context"
	"fmt"

	"github.com/storekeep/storekeep"
)

// scanAPIToken reads a token's id, kind, scopes and created_at, leaving
// its hash out.
func (s *Store) scanAPIToken(row scanner, shopID int64) (storekeep.APIToken, error) {
	t := storekeep.APIToken{ShopID: shopID}
	var scopes []byte
	if err := row.Scan(&t.ID, &t.Kind, &scopes, scanTime(&t.CreatedAt)); err != nil {
		return storekeep.APIToken{}, s.mapErr(err)
	}
	var err error
	if t.Scopes, err = fromJSON[storekeep.Scope](scopes); err != nil {
		return storekeep.APIToken{}, fmt.Errorf("%s: api token %d scopes: %w", s.d.Name, t.ID, err)
	}
	return t, nil
}

// APITokens lists a shop's tokens, oldest first, without their hashes.
func (s *Store) APITokens(ctx context.Context, shopID int64) ([]storekeep.APIToken, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, kind, scopes, created_at FROM api_tokens
		WHERE shop_id = $1 ORDER BY id`, shopID)
	return collect(rows, err, func(row scanner) (storekeep.APIToken, error) {
		return s.scanAPIToken(row, shopID)
	})
}

// APITokenHashes returns the hash of every shop's token.
func (s *Store) APITokenHashes(ctx context.Context) ([][]byte, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT hash FROM api_tokens`)
	return collect(rows, err, func(row scanner) ([]byte, error) {
		var h []byte
		return h, row.Scan(&h)
	})
}

// DeleteAPIToken deletes the shop's token with that id and records e, its
// Detail the token's label, in one transaction; storekeep.ErrNotFound
// unless the token is the shop's.
func (s *Store) DeleteAPIToken(ctx context.Context, shopID, id int64, e storekeep.AuditEvent) (storekeep.APIToken, error) {
	var t storekeep.APIToken
	err := s.w.InTx(ctx, func(tx Querier) error {
		var err error
		t, err = s.scanAPIToken(tx.QueryRowContext(ctx, `DELETE FROM api_tokens WHERE shop_id = $1 AND id = $2
			RETURNING id, kind, scopes, created_at`, shopID, id), shopID)
		if err != nil {
			return err
		}
		e.ShopID, e.Detail = shopID, t.Label()
		return s.insertAudit(ctx, tx, e)
	})
	if err != nil {
		return storekeep.APIToken{}, err
	}
	return t, nil
}
