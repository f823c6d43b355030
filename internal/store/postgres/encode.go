package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/storekeep/storekeep"
)

// Times are TIMESTAMPTZ, kept to the microsecond: pgx drops finer digits
// when it encodes a time, the same way for stored values and for the
// arguments they are compared with. They come back in UTC.

func fromTime(t time.Time) time.Time { return t.UTC() }

func fromNullTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// toJSON encodes a list as JSON text for a JSONB column, an empty list as
// [].
func toJSON[T any](list []T) (string, error) {
	if len(list) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(list)
	return string(b), err
}

// fromJSON decodes what toJSON wrote; an empty list comes back nil.
func fromJSON[T any](raw []byte) ([]T, error) {
	var list []T
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// limitArg is a LIMIT argument: NULL, which is no limit, when limit <= 0.
func limitArg(limit int) any {
	if limit <= 0 {
		return nil
	}
	return limit
}

// uniqueViolation is the SQLSTATE of a broken UNIQUE constraint.
const uniqueViolation = "23505"

// mapErr turns a broken uniqueness rule (SQLSTATE 23505) into
// storekeep.ErrConflict and a missing row into storekeep.ErrNotFound.
func mapErr(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return storekeep.ErrNotFound
	}
	var e *pgconn.PgError
	if errors.As(err, &e) && e.Code == uniqueViolation {
		return fmt.Errorf("%w: %v", storekeep.ErrConflict, err)
	}
	return err
}

// affectedOne returns storekeep.ErrNotFound when tag reports no row
// changed.
func affectedOne(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return storekeep.ErrNotFound
	}
	return nil
}
