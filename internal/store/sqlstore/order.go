package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/storekeep/storekeep"
)

// webhookMemory is how long a webhook delivery id is remembered: longer
// than the 48 hours over which Shopify retries a delivery.
const webhookMemory = 72 * time.Hour

// orderDetails is the part of an order kept as JSON in orders.details.
type orderDetails struct {
	Email, Phone, Name      string
	OrderNumber             int64
	Currency                string
	CancelReason, StatusURL string
	CanceledAt              time.Time
	Totals                  storekeep.OrderTotals
	ShippingAddress         *storekeep.OrderAddress `json:",omitempty"`
	BillingAddress          *storekeep.OrderAddress `json:",omitempty"`
	Discounts               []storekeep.OrderDiscount
}

// WriteOrder applies w in one transaction: the delivery id first, so that
// a repeat changes nothing, then the order under the updated_at rule of
// the upsert's WHERE, which PostgreSQL evaluates on the locked row. An
// order keeps its customer while its address stays the same; one moved
// to another address goes to that address's proven customer, or to none.
func (s *Store) WriteOrder(ctx context.Context, w storekeep.OrderWrite) (storekeep.OrderWriteResult, error) {
	at := s.stamp(w.At)
	result := storekeep.OrderStale
	err := s.w.InTx(ctx, func(tx Querier) error {
		if w.WebhookID != "" {
			n, err := affected(tx.ExecContext(ctx, `INSERT INTO order_webhooks (shop_id, webhook_id, received_at)
				VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, w.Order.ShopID, w.WebhookID, s.at(at)))
			if err != nil {
				return err
			}
			if n == 0 {
				result = storekeep.OrderDuplicate
				return nil
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM order_webhooks WHERE shop_id = $1 AND received_at < $2`,
				w.Order.ShopID, s.at(at.Add(-webhookMemory))); err != nil {
				return err
			}
		}
		var err error
		if w.Delete {
			result, err = s.deleteOrder(ctx, tx, w.Order.ShopID, w.Order.ID, at)
		} else {
			result, err = s.upsertOrder(ctx, tx, w.Order)
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("%s: write order: %w", s.d.Name, err)
	}
	return result, nil
}

func (s *Store) upsertOrder(ctx context.Context, tx Querier, o storekeep.Order) (storekeep.OrderWriteResult, error) {
	details, err := json.Marshal(orderDetails{
		Email: o.Email, Phone: o.Phone, Name: o.Name, OrderNumber: o.OrderNumber, Currency: o.Currency,
		CancelReason: o.CancelReason, StatusURL: o.StatusURL, CanceledAt: o.CanceledAt, Totals: o.Totals,
		ShippingAddress: o.ShippingAddress, BillingAddress: o.BillingAddress, Discounts: o.Discounts,
	})
	if err != nil {
		return "", err
	}
	total, _ := storekeep.MilliUnits(o.Totals.Total)
	n, err := affected(tx.ExecContext(ctx, `INSERT INTO orders (shop_id, id, customer_id, email_key, deleted,
			processed_at, updated_at, total_milli, financial_status, fulfillment_status, details)
		VALUES ($1, $2, (SELECT id FROM customers
				WHERE shop_id = $1 AND email_key = $3 AND email_verified_at IS NOT NULL), $3, FALSE,
			$4, $5, $6, $7, $8, $9)
		ON CONFLICT (shop_id, id) DO UPDATE SET
			customer_id = CASE WHEN excluded.email_key = orders.email_key
				THEN COALESCE(orders.customer_id, excluded.customer_id) ELSE excluded.customer_id END,
			email_key = excluded.email_key,
			processed_at = excluded.processed_at, updated_at = excluded.updated_at,
			total_milli = excluded.total_milli, financial_status = excluded.financial_status,
			fulfillment_status = excluded.fulfillment_status, details = excluded.details
		WHERE orders.updated_at < excluded.updated_at AND NOT orders.deleted`,
		o.ShopID, o.ID, o.EmailKey, s.at(o.ProcessedAt.Truncate(s.d.Precision)), s.at(o.UpdatedAt), total,
		o.FinancialStatus, o.FulfillmentStatus, string(details)))
	if err != nil || n == 0 {
		return storekeep.OrderStale, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM order_line_items WHERE shop_id = $1 AND order_id = $2`,
		o.ShopID, o.ID); err != nil {
		return "", err
	}
	for i, li := range o.LineItems {
		line, err := json.Marshal(li)
		if err != nil {
			return "", err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_line_items (shop_id, order_id, position, title, quantity,
				details) VALUES ($1, $2, $3, $4, $5, $6)`, o.ShopID, o.ID, i, li.Title, li.Quantity, string(line)); err != nil {
			return "", err
		}
	}
	return storekeep.OrderSaved, nil
}

// deleteOrder empties the order's row and marks it deleted, or stores an
// empty deleted row when the deletion comes before the order.
func (s *Store) deleteOrder(ctx context.Context, tx Querier, shopID, id int64, at time.Time) (storekeep.OrderWriteResult, error) {
	n, err := affected(tx.ExecContext(ctx, `INSERT INTO orders (shop_id, id, customer_id, email_key, deleted,
			processed_at, updated_at, total_milli, financial_status, fulfillment_status, details)
		VALUES ($1, $2, NULL, '', TRUE, $3, $3, 0, '', '', '{}')
		ON CONFLICT (shop_id, id) DO UPDATE SET customer_id = NULL, email_key = '', deleted = TRUE,
			total_milli = 0, financial_status = '', fulfillment_status = '', details = '{}'
		WHERE NOT orders.deleted`, shopID, id, s.at(at)))
	if err != nil || n == 0 {
		return storekeep.OrderStale, err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM order_line_items WHERE shop_id = $1 AND order_id = $2`, shopID, id)
	return storekeep.OrderDeleted, err
}

// orderColumns are an order's columns, total_milli among them so that a
// UNION of two halves can be ordered by it.
const orderColumns = `shop_id, id, COALESCE(customer_id, 0), email_key, processed_at, updated_at,
	total_milli, financial_status, fulfillment_status, details`

func (s *Store) scanOrder(row scanner) (storekeep.Order, error) {
	var o storekeep.Order
	var details []byte
	var totalMilli int64
	err := row.Scan(&o.ShopID, &o.ID, &o.CustomerID, &o.EmailKey, scanTime(&o.ProcessedAt), scanTime(&o.UpdatedAt),
		&totalMilli, &o.FinancialStatus, &o.FulfillmentStatus, &details)
	if err != nil {
		return storekeep.Order{}, s.mapErr(err)
	}
	var d orderDetails
	if err := json.Unmarshal(details, &d); err != nil {
		return storekeep.Order{}, fmt.Errorf("%s: order %d details: %w", s.d.Name, o.ID, err)
	}
	o.Email, o.Phone, o.Name, o.OrderNumber, o.Currency = d.Email, d.Phone, d.Name, d.OrderNumber, d.Currency
	o.CancelReason, o.StatusURL, o.CanceledAt, o.Totals = d.CancelReason, d.StatusURL, d.CanceledAt, d.Totals
	o.ShippingAddress, o.BillingAddress, o.Discounts = d.ShippingAddress, d.BillingAddress, d.Discounts
	return o, nil
}

// OrderByID returns a shop's order with its line items.
func (s *Store) OrderByID(ctx context.Context, shopID, id int64) (storekeep.Order, error) {
	o, err := s.scanOrder(s.r.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders
		WHERE shop_id = $1 AND id = $2 AND NOT deleted`, shopID, id))
	if err != nil {
		return storekeep.Order{}, err
	}
	list := []storekeep.Order{o}
	if err := s.loadLineItems(ctx, list); err != nil {
		return storekeep.Order{}, err
	}
	return list[0], nil
}

// OrderEmailKey returns the email key of a shop's order.
func (s *Store) OrderEmailKey(ctx context.Context, shopID, id int64) (string, error) {
	var key string
	err := s.r.QueryRowContext(ctx, `SELECT email_key FROM orders WHERE shop_id = $1 AND id = $2 AND NOT deleted`,
		shopID, id).Scan(&key)
	return key, s.mapErr(err)
}

// customerOrderHalves are the two disjoint conditions that an order is
// p's customer's, with their arguments, parameters from $1: attached to it
// (which only a customer that had proved the order's address can be), or
// attached to none and placed with p's address while the customer has
// proved it owns that address; the second only when p has an address.
// Each half is served by an index of its own; their OR would not be.
func customerOrderHalves(p storekeep.OrderPage) ([]string, []any) {
	attached := `shop_id = $1 AND customer_id = $2 AND NOT deleted`
	if p.EmailKey == "" {
		return []string{attached}, []any{p.ShopID, p.CustomerID}
	}
	return []string{attached, `shop_id = $1 AND email_key = $3 AND customer_id IS NULL AND NOT deleted
		AND EXISTS (SELECT 1 FROM customers
			WHERE customers.id = $2 AND customers.email_key = $3 AND customers.email_verified_at IS NOT NULL)`},
		[]any{p.ShopID, p.CustomerID, p.EmailKey}
}

// CountCustomerOrders counts the orders of p's customer, one count for
// each half.
func (s *Store) CountCustomerOrders(ctx context.Context, p storekeep.OrderPage) (int64, error) {
	halves, args := customerOrderHalves(p)
	counts := make([]string, len(halves))
	for i, h := range halves {
		counts[i] = `(SELECT COUNT(*) FROM orders WHERE ` + h + `)`
	}
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT `+strings.Join(counts, " + "), args...).Scan(&n)
	return n, err
}

// CountWaitingOrders counts the shop's orders placed with emailKey and
// attached to no customer.
func (s *Store) CountWaitingOrders(ctx context.Context, shopID int64, emailKey string) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders
		WHERE shop_id = $1 AND email_key = $2 AND customer_id IS NULL AND NOT deleted`, shopID, emailKey).Scan(&n)
	return n, err
}

var orderSortColumns = map[storekeep.OrderSortKey]string{
	storekeep.OrderSortID: "id", storekeep.OrderSortProcessedAt: "processed_at", storekeep.OrderSortTotalPrice: "total_milli",
}

// CustomerOrders lists a page of p's customer's orders, with line items
// unless p.WithoutLineItems, by keyset over (sort column, id). Going
// backward reads the other way and turns the page round.
func (s *Store) CustomerOrders(ctx context.Context, p storekeep.OrderPage) ([]storekeep.Order, error) {
	col, ok := orderSortColumns[p.Sort]
	if !ok {
		col = "id"
	}
	halves, args := customerOrderHalves(p)
	where := ""
	param := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	desc := p.Reverse != p.Backward
	if p.Cursor != nil {
		v, err := s.cursorValue(p.Sort, p.Cursor.Value)
		if err != nil {
			return nil, err
		}
		cmp := ">"
		if desc {
			cmp = "<"
		}
		pv, pid := param(v), param(p.Cursor.ID)
		where += fmt.Sprintf(" AND (%s %s %s OR (%s = %s AND id %s %s))", col, cmp, pv, col, pv, cmp, pid)
	}
	if f := p.Filter.FinancialStatus; f != "" {
		where += " AND financial_status = " + param(f)
	}
	if f := p.Filter.FulfillmentStatus; f != "" {
		where += " AND fulfillment_status = " + param(f)
	}
	if !p.Filter.ProcessedFrom.IsZero() {
		where += " AND processed_at >= " + param(s.at(s.roundUp(p.Filter.ProcessedFrom)))
	}
	if !p.Filter.ProcessedTo.IsZero() {
		where += " AND processed_at < " + param(s.at(s.roundUp(p.Filter.ProcessedTo)))
	}
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	order := col + ` ` + dir
	if col != "id" {
		order += `, id ` + dir
	}
	limit := ` ORDER BY ` + order + ` LIMIT ` + param(s.limit(p.Limit))
	selects := make([]string, len(halves))
	for i, h := range halves {
		selects[i] = `SELECT ` + orderColumns + ` FROM orders WHERE ` + h + where
		if s.d.LimitEachHalf && len(halves) > 1 {
			selects[i] = `(` + selects[i] + limit + `)`
		}
	}
	query := strings.Join(selects, " UNION ALL ") + limit
	rows, err := s.r.QueryContext(ctx, query, args...)
	list, err := collect(rows, err, s.scanOrder)
	if err != nil {
		return nil, fmt.Errorf("%s: customer orders: %w", s.d.Name, err)
	}
	if p.Backward {
		slices.Reverse(list)
	}
	if p.WithoutLineItems {
		return list, nil
	}
	return list, s.loadLineItems(ctx, list)
}

// cursorValue decodes a cursor's sort value for its column.
func (s *Store) cursorValue(sort storekeep.OrderSortKey, v string) (any, error) {
	if sort == storekeep.OrderSortProcessedAt {
		t, err := time.Parse(time.RFC3339Nano, v)
		return s.at(t), err
	}
	return strconv.ParseInt(v, 10, 64)
}

// loadLineItems fills the line items of every order of list, all of one
// shop, in one query.
func (s *Store) loadLineItems(ctx context.Context, list []storekeep.Order) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	at := map[int64]int{}
	for i, o := range list {
		ids[i], at[o.ID] = o.ID, i
	}
	idList, err := s.d.List(ids)
	if err != nil {
		return err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT order_id, details FROM order_line_items
		WHERE shop_id = $1 AND `+s.d.ListIn("order_id", "$2")+` ORDER BY order_id, position`, s.planEach(list[0].ShopID, idList)...)
	if err != nil {
		return fmt.Errorf("%s: line items: %w", s.d.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var details []byte
		if err := rows.Scan(&id, &details); err != nil {
			return err
		}
		var li storekeep.OrderLineItem
		if err := json.Unmarshal(details, &li); err != nil {
			return fmt.Errorf("%s: order %d line item: %w", s.d.Name, id, err)
		}
		o := &list[at[id]]
		o.LineItems = append(o.LineItems, li)
	}
	return rows.Err()
}

// WebhookShops returns every shop that keeps a webhook secret, by id.
func (s *Store) WebhookShops(ctx context.Context) ([]storekeep.Shop, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+shopColumns+` FROM shops WHERE webhook_secret IS NOT NULL ORDER BY id`)
	return collect(rows, err, func(row scanner) (storekeep.Shop, error) { return s.scanShop(row) })
}

// WebhookSecret returns the shop serving domain and its opened webhook
// secret.
func (s *Store) WebhookSecret(ctx context.Context, domain string) (storekeep.Shop, []byte, error) {
	var sealed []byte
	sh, err := s.scanShop(s.r.QueryRowContext(ctx, `SELECT `+shopColumns+`, shops.webhook_secret FROM shops
		WHERE domain = $1`, domain), &sealed)
	if err != nil || len(sealed) == 0 {
		return sh, nil, err
	}
	secret, err := s.sealer.Open(sealed)
	if err != nil {
		return storekeep.Shop{}, nil, fmt.Errorf("%s: shop %d webhook secret: %w", s.d.Name, sh.ID, err)
	}
	return sh, secret, nil
}
