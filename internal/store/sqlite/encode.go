package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/storekeep/storekeep"
)

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// Times are stored as INTEGER nanoseconds since the Unix epoch, UTC, so
// that SQL compares them as numbers. The zero time is stored as 0.

func toUnix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnix(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func fromNullUnix(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromUnix(n.Int64)
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
func fromJSON[T any](text string) ([]T, error) {
	var list []T
	if err := json.Unmarshal([]byte(text), &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// hashSet returns "?, ?, ..." for a SQL IN list and the hashes as args,
// after leading.
func hashSet(hashes [][]byte, leading ...any) (string, []any) {
	args := leading
	for _, h := range hashes {
		args = append(args, h)
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(hashes)), ", "), args
}

// mapErr turns a broken uniqueness rule into storekeep.ErrConflict and a
// missing row into storekeep.ErrNotFound.
func mapErr(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return storekeep.ErrNotFound
	}
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch e.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", storekeep.ErrConflict, err)
		}
	}
	return err
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
