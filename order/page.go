package order

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/storekeep/storekeep"
)

// PageArgs are Customer.orders' arguments.
type PageArgs struct {
	storekeep.Page
	// SortKey is ID (the default), PROCESSED_AT, TOTAL_PRICE or RELEVANCE,
	// which without a search is ID.
	SortKey string
	Query   string
	// WithoutLineItems leaves the orders' line items unread, for a query
	// that does not select them.
	WithoutLineItems bool
}

// Page is one page of a customer's orders, each with its cursor.
type Page struct {
	Orders          []Keyed
	Cursors         []string
	HasNextPage     bool
	HasPreviousPage bool
}

func badArgument(message string) error {
	return storekeep.NewError(storekeep.CodeBadRequest, nil, message)
}

// CustomerOrders pages c's orders: the orders attached to c and those
// attached to nobody that carry c's address.
func (s *Service) CustomerOrders(ctx context.Context, c storekeep.Customer, a PageArgs) (Page, error) {
	p := storekeep.OrderPage{ShopID: c.ShopID, CustomerID: c.ID, EmailKey: c.EmailKey, Reverse: a.Reverse,
		WithoutLineItems: a.WithoutLineItems}
	switch a.SortKey {
	case "", "ID", "RELEVANCE":
		p.Sort = storekeep.OrderSortID
	case "PROCESSED_AT", "TOTAL_PRICE":
		p.Sort = storekeep.OrderSortKey(a.SortKey)
	default:
		return Page{}, badArgument("unknown sortKey " + strconv.Quote(a.SortKey))
	}
	if err := a.CheckSize(); err != nil {
		return Page{}, err
	}
	var cursor *string
	switch {
	case a.First != nil && (a.Last != nil || a.Before != nil), a.Last != nil && a.After != nil:
		return Page{}, badArgument("orders are paged with first and after, or with last and before")
	case a.First != nil:
		p.Limit, cursor = *a.First, a.After
	default:
		p.Limit, cursor, p.Backward = *a.Last, a.Before, true
	}
	if cursor != nil {
		c, ok := decodeCursor(p.Sort, *cursor)
		if !ok {
			return Page{}, badArgument("invalid cursor")
		}
		p.Cursor = &c
	}
	var err error
	if p.Filter, err = parseQuery(a.Query); err != nil {
		return Page{}, err
	}
	if p.Limit == 0 {
		return Page{}, nil
	}
	want := p.Limit
	p.Limit++
	list, err := s.Store.CustomerOrders(ctx, p)
	if err != nil {
		return Page{}, err
	}
	more := len(list) > want
	if more && p.Backward {
		list = list[1:]
	} else if more {
		list = list[:want]
	}
	page := Page{Orders: make([]Keyed, len(list)), Cursors: make([]string, len(list))}
	for i, o := range list {
		page.Orders[i], page.Cursors[i] = s.keyed(o), encodeCursor(p.Sort, o)
	}
	// As in Relay connections over lists (and Paginate), the cursor's own
	// order lies beyond the page: a cursor means there is one.
	if p.Backward {
		page.HasPreviousPage, page.HasNextPage = more, p.Cursor != nil
	} else {
		page.HasNextPage, page.HasPreviousPage = more, p.Cursor != nil
	}
	return page, nil
}

// CountOrders is how many orders c has.
func (s *Service) CountOrders(ctx context.Context, c storekeep.Customer) (int64, error) {
	return s.Store.CountCustomerOrders(ctx, storekeep.OrderPage{ShopID: c.ShopID, CustomerID: c.ID, EmailKey: c.EmailKey})
}

// encodeCursor writes an order's position under sort as an opaque cursor:
// base64url of "<sort>\x00<value>\x00<id>".
func encodeCursor(sort storekeep.OrderSortKey, o storekeep.Order) string {
	var v string
	switch sort {
	case storekeep.OrderSortProcessedAt:
		v = o.ProcessedAt.UTC().Format(time.RFC3339Nano)
	case storekeep.OrderSortTotalPrice:
		m, _ := storekeep.MilliUnits(o.Totals.Total)
		v = strconv.FormatInt(m, 10)
	default:
		v = strconv.FormatInt(o.ID, 10)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(string(sort) + "\x00" + v + "\x00" + strconv.FormatInt(o.ID, 10)))
}

// decodeCursor reads a cursor encodeCursor wrote for the same sort; a
// processing time outside the years an order may have is none it wrote
// (and one SQLite's nanoseconds could not hold), but for the zero time of
// an order that came without one.
func decodeCursor(sort storekeep.OrderSortKey, cursor string) (storekeep.OrderCursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return storekeep.OrderCursor{}, false
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[0] != string(sort) {
		return storekeep.OrderCursor{}, false
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return storekeep.OrderCursor{}, false
	}
	switch sort {
	case storekeep.OrderSortProcessedAt:
		var t time.Time
		if t, err = time.Parse(time.RFC3339Nano, parts[1]); err == nil && !t.IsZero() && (t.Before(firstTime) || !t.Before(endTime)) {
			err = errors.New("a time no order has")
		}
	default:
		_, err = strconv.ParseInt(parts[1], 10, 64)
	}
	return storekeep.OrderCursor{Value: parts[1], ID: id}, err == nil
}
