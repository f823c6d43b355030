package postgres

import (
	"context"
	"database/sql/driver"

	"github.com/jackc/pgx/v5/stdlib"
)

// validating opens pgx's database/sql connections with IsValid, which
// pgx's stdlib lacks: without it database/sql puts a connection that pgx
// closed during a call (a context whose deadline passed mid-statement, a
// broken network) back in the pool, and hands it to a later caller, whose
// call then fails once three such are met in a row.
type validating struct{ driver.Connector }

func (v validating) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := v.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return validConn{c.(*stdlib.Conn)}, nil
}

// validConn is a pgx connection that tells database/sql when it is
// closed. Every other method is stdlib.Conn's.
type validConn struct{ *stdlib.Conn }

// IsValid implements driver.Validator.
func (c validConn) IsValid() bool { return !c.Conn.Conn().IsClosed() }
