package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/pressly/goose/v3"

	"github.com/storekeep/storekeep"
)

// EmailKeyMigration returns, as the goose migration of the given version,
// the move of stored customer addresses to storekeep.ParseEmail's rules
// (see storekeep.RekeyEmails). Its Down changes nothing: the older keys
// would merge what the newer ones keep apart.
func EmailKeyMigration(version int64) *goose.Migration {
	return goose.NewGoMigration(version,
		&goose.GoFunc{RunTx: rekeyEmails},
		&goose.GoFunc{RunTx: func(context.Context, *sql.Tx) error { return nil }},
	)
}

// rekeyEmails reads every customer's address, asks storekeep.RekeyEmails
// what changes, and writes it in two passes, the first through keys no
// address has, so that no intermediate state breaks the unique index on
// keys.
func rekeyEmails(ctx context.Context, tx *sql.Tx) error {
	const update = `UPDATE customers SET email = $1, email_key = $2 WHERE id = $3`
	rows, err := tx.QueryContext(ctx, `SELECT id, shop_id, email, email_key FROM customers`)
	if err != nil {
		return err
	}
	var stored []storekeep.StoredEmail
	for rows.Next() {
		var e storekeep.StoredEmail
		if err := rows.Scan(&e.CustomerID, &e.ShopID, &e.Email, &e.Key); err != nil {
			rows.Close()
			return err
		}
		stored = append(stored, e)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	changes, err := storekeep.RekeyEmails(stored)
	if err != nil {
		return err
	}
	for _, c := range changes {
		if _, err := tx.ExecContext(ctx, update, c.Email, "rekey:"+strconv.FormatInt(c.CustomerID, 10), c.CustomerID); err != nil {
			return fmt.Errorf("customer %d: %w", c.CustomerID, err)
		}
	}
	for _, c := range changes {
		if _, err := tx.ExecContext(ctx, update, c.Email, c.Key, c.CustomerID); err != nil {
			return fmt.Errorf("customer %d: %w", c.CustomerID, err)
		}
	}
	return nil
}
