package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/storekeep/storekeep"
)

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// timeDest scans a time column into *t: a TIMESTAMPTZ, or INTEGER
// nanoseconds since the Unix epoch where 0 is the zero time; NULL is the
// zero time. Times come back in UTC.
type timeDest struct{ t *time.Time }

func scanTime(t *time.Time) sql.Scanner { return timeDest{t} }

// Scan implements sql.Scanner.
func (d timeDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.t = time.Time{}
	case int64:
		*d.t = time.Time{}
		if v != 0 {
			*d.t = time.Unix(0, v).UTC()
		}
	case time.Time:
		*d.t = v.UTC()
	default:
		return fmt.Errorf("a time column holds %T", src)
	}
	return nil
}

// UnixNano is Dialect.Time for a database that stores times as INTEGER
// nanoseconds since the Unix epoch, the zero time as 0, so that SQL
// compares them as numbers.
func UnixNano(t time.Time) any {
	if t.IsZero() {
		return int64(0)
	}
	return t.UnixNano()
}

// toJSON encodes a list as JSON text, an empty list as [].
func toJSON[T any](list []T) (string, error) {
	if len(list) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(list)
	return string(b), err
}

// fromJSON decodes what toJSON wrote; an empty list comes back nil.
func fromJSON[T any](text []byte) ([]T, error) {
	var list []T
	if err := json.Unmarshal(text, &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// affectedOne returns storekeep.ErrNotFound when res changed no row.
func affectedOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return storekeep.ErrNotFound
	}
	return nil
}

// affected returns how many rows res changed.
func affected(res sql.Result, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// limit is a LIMIT argument: the dialect's no limit when n <= 0.
func (s *Store) limit(n int) any {
	if n <= 0 {
		return s.d.NoLimit
	}
	return n
}

// collect scans every row of rows with scan.
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, rows.Err()
}
