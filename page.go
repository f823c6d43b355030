package storekeep

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
)

// MaxPageSize is the most items one page of a connection may ask for with
// first or last, as on Shopify.
const MaxPageSize = 250

// CodeBadRequest is an argument error that fails the whole field, such as
// a connection asked for without first or last.
const CodeBadRequest Code = "BAD_REQUEST"

// Page is a Relay connection's arguments: First or Last (at least one),
// cursors After and Before, and Reverse for the list in reverse order.
type Page struct {
	First, Last   *int
	After, Before *string
	Reverse       bool
}

// Window is one page of a list: its items, each item's cursor, and
// whether the list goes on either side of it.
type Window[T any] struct {
	Items           []T
	Cursors         []string
	HasPreviousPage bool
	HasNextPage     bool
}

// CheckSize fails with CodeBadRequest when neither First nor Last is
// given, or either is outside 0..MaxPageSize (naming it as the field).
func (p Page) CheckSize() error {
	if p.First == nil && p.Last == nil {
		return NewError(CodeBadRequest, nil, "you must provide one of first or last")
	}
	for _, arg := range []struct {
		name string
		n    *int
	}{{"first", p.First}, {"last", p.Last}} {
		if name, n := arg.name, arg.n; n != nil && (*n < 0 || *n > MaxPageSize) {
			return NewError(CodeBadRequest, []string{name}, name+" must be between 0 and "+strconv.Itoa(MaxPageSize))
		}
	}
	return nil
}

// Paginate cuts the page p asks for out of items, which are in ascending
// order of key, as Relay's cursor connections do: items after After and
// before Before, then the First of them, then the Last of those. Cursors
// are opaque to clients and name an item's key, so they stay valid while
// the list changes. It fails with CodeBadRequest when neither First nor
// Last is given, either is outside 0..MaxPageSize, or a cursor is not one
// this function made.
func Paginate[T any](items []T, key func(T) int64, p Page) (Window[T], error) {
	var w Window[T]
	if err := p.CheckSize(); err != nil {
		return w, err
	}
	if p.Reverse {
		items = slices.Clone(items)
		slices.Reverse(items)
	}
	before := func(a, b int64) bool {
		if p.Reverse {
			return a > b
		}
		return a < b
	}
	start, end := 0, len(items)
	if p.After != nil {
		after, ok := decodeCursor(*p.After)
		if !ok {
			return w, NewError(CodeBadRequest, []string{"after"}, "after is not a valid cursor")
		}
		for start < end && !before(after, key(items[start])) {
			start++
		}
	}
	if p.Before != nil {
		limit, ok := decodeCursor(*p.Before)
		if !ok {
			return w, NewError(CodeBadRequest, []string{"before"}, "before is not a valid cursor")
		}
		for end > start && !before(key(items[end-1]), limit) {
			end--
		}
	}
	if p.First != nil && end-start > *p.First {
		end = start + *p.First
	}
	if p.Last != nil && end-start > *p.Last {
		start = end - *p.Last
	}
	w.Items = items[start:end]
	w.Cursors = make([]string, len(w.Items))
	for i, it := range w.Items {
		w.Cursors[i] = encodeCursor(key(it))
	}
	w.HasPreviousPage, w.HasNextPage = start > 0, end < len(items)
	return w, nil
}

type cursor struct {
	LastID int64 `json:"last_id"`
}

func encodeCursor(id int64) string {
	b, _ := json.Marshal(cursor{LastID: id})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.LastID <= 0 {
		return 0, false
	}
	return c.LastID, true
}
