package storekeep

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Order is the read model of one order of a shop's commerce platform:
// storekeep does not run checkout, it keeps what the platform reports so
// that a customer can see their orders. ID is the platform's order id.
type Order struct {
	ShopID int64
	ID     int64
	// CustomerID is the customer the order was attached to when it was
	// written (0 when none was); an order without one is still shown to
	// the customer whose EmailKey matches.
	CustomerID  int64
	Email       string
	EmailKey    string
	Phone       string
	Name        string
	OrderNumber int64
	// Currency is the ISO 4217 code every Money of the order is in.
	Currency          string
	FinancialStatus   string
	FulfillmentStatus string
	CancelReason      string
	StatusURL         string
	ProcessedAt       time.Time
	// UpdatedAt is the platform's updated_at: a write older than the
	// stored one is ignored.
	UpdatedAt  time.Time
	CanceledAt time.Time
	// Totals are decimal amounts in Currency.
	Totals          OrderTotals
	ShippingAddress *OrderAddress
	BillingAddress  *OrderAddress
	Discounts       []OrderDiscount
	LineItems       []OrderLineItem
}

// OrderTotals are an order's amounts, as decimal strings such as "19.99".
type OrderTotals struct {
	Subtotal, Total, Tax, Shipping, Refunded  string
	CurrentSubtotal, CurrentTotal, CurrentTax string
}

// OrderAddress is a shipping or billing address as the platform sent it.
type OrderAddress struct {
	FirstName, LastName, Company, Address1, Address2, City   string
	Province, ProvinceCode, Country, CountryCode, Zip, Phone string
}

// OrderDiscount is a discount application of an order. Kind is
// "discount_code", "manual", "script" or "automatic".
type OrderDiscount struct {
	Kind, Code, Title, Description string
	// ValueType is "percentage" or "fixed_amount"; Value is a decimal.
	Value, ValueType                              string
	AllocationMethod, TargetSelection, TargetType string
}

// OrderLineItem is one line of an order.
type OrderLineItem struct {
	Title           string
	Quantity        int64
	CurrentQuantity int64
	// Price is the unit price; TotalDiscount the discounts on the line.
	Price, TotalDiscount string
	SKU                  string
	VariantID            int64
	VariantTitle         string
	ProductID            int64
	ProductHandle        string
	ImageURL             string
	// Discounts are the line's shares of the order's discounts: amount and
	// the index in Order.Discounts.
	Discounts []OrderDiscountAllocation
}

// OrderDiscountAllocation is the part of a discount applied to a line.
type OrderDiscountAllocation struct {
	Amount string
	Index  int
}

// OrderSortKey orders a customer's orders.
type OrderSortKey string

// The sort keys of Customer.orders.
const (
	OrderSortID          OrderSortKey = "ID"
	OrderSortProcessedAt OrderSortKey = "PROCESSED_AT"
	OrderSortTotalPrice  OrderSortKey = "TOTAL_PRICE"
)

// OrderCursor is the position of an order in a sorted list: its sort
// value and its id.
type OrderCursor struct {
	Value string
	ID    int64
}

// OrderFilter narrows a customer's orders; empty fields do not.
type OrderFilter struct {
	FinancialStatus   string
	FulfillmentStatus string
	// ProcessedFrom and ProcessedTo bound ProcessedAt (inclusive, exclusive).
	ProcessedFrom, ProcessedTo time.Time
}

// OrderPage asks for up to Limit orders of a customer after (or, with
// Backward, before) Cursor, in Sort order, reversed by Reverse.
type OrderPage struct {
	ShopID     int64
	CustomerID int64
	EmailKey   string
	Sort       OrderSortKey
	Reverse    bool
	Backward   bool
	Cursor     *OrderCursor
	Limit      int
	Filter     OrderFilter
	// WithoutLineItems leaves every order's LineItems nil, for a caller
	// that will not read them: an order holds up to 1,000.
	WithoutLineItems bool
}

// OrderWrite is one change to the read model: Order, or the deletion of
// the order with Order.ID when Delete is set. WebhookID, when not empty,
// is the delivery that carried it, remembered so that a repeat is ignored.
type OrderWrite struct {
	Order     Order
	Delete    bool
	WebhookID string
	At        time.Time
}

// OrderWriteResult says what an OrderWrite did.
type OrderWriteResult string

// The outcomes of an OrderWrite.
const (
	OrderSaved     OrderWriteResult = "saved"
	OrderDeleted   OrderWriteResult = "deleted"
	OrderStale     OrderWriteResult = "stale"
	OrderDuplicate OrderWriteResult = "duplicate"
)

// OrderStore keeps the read model of orders.
type OrderStore interface {
	// WriteOrder applies w in one transaction. A WebhookID already seen in
	// the shop makes it OrderDuplicate and changes nothing. An order whose
	// UpdatedAt is not newer than the stored one's, or that was deleted,
	// is OrderStale. An update that keeps the order's EmailKey keeps the
	// customer it is attached to, even one that has left the address since;
	// otherwise the order is attached to the shop's customer whose EmailKey
	// matches and who has proved that address (EmailVerifiedAt), if any.
	WriteOrder(ctx context.Context, w OrderWrite) (OrderWriteResult, error)
	// OrderByID returns a shop's order, or ErrNotFound (also when deleted).
	OrderByID(ctx context.Context, shopID, id int64) (Order, error)
	// OrderEmailKey returns the EmailKey of a shop's order, reading
	// nothing else, or ErrNotFound (also when deleted).
	OrderEmailKey(ctx context.Context, shopID, id int64) (string, error)
	// CustomerOrders lists the orders of p's customer: those attached to
	// it and, while the customer's address is p's EmailKey and verified,
	// those attached to none whose EmailKey is p's.
	CustomerOrders(ctx context.Context, p OrderPage) ([]Order, error)
	// CountCustomerOrders counts them, ignoring p's cursor, limit and
	// filter.
	CountCustomerOrders(ctx context.Context, p OrderPage) (int64, error)
	// CountWaitingOrders counts the shop's orders placed with the address
	// emailKey that are attached to no customer.
	CountWaitingOrders(ctx context.Context, shopID int64, emailKey string) (int64, error)
	// WebhookSecret returns the shop serving domain and its webhook secret
	// (nil when none is set), or ErrNotFound.
	WebhookSecret(ctx context.Context, domain string) (Shop, []byte, error)
	// WebhookShops returns every shop that keeps a webhook secret.
	WebhookShops(ctx context.Context) ([]Shop, error)
}

const orderGIDPrefix = "gid://shopify/Order/"

// OrderGID formats an order id with its key as the global id the
// Storefront API gives an order: gid://shopify/Order/<id>?key=<key>.
func OrderGID(id int64, key string) string {
	return orderGIDPrefix + strconv.FormatInt(id, 10) + "?key=" + key
}

// ParseOrderGID reads gid://shopify/Order/<id>?key=<key>; key is empty
// when the id has none.
func ParseOrderGID(gid string) (id int64, key string, ok bool) {
	rest, found := strings.CutPrefix(gid, orderGIDPrefix)
	if !found {
		return 0, "", false
	}
	num, query, _ := strings.Cut(rest, "?")
	if id, ok = ParseCustomerNumber(num); !ok {
		return 0, "", false
	}
	if query != "" {
		if key, found = strings.CutPrefix(query, "key="); !found || strings.ContainsAny(key, "&=") {
			return 0, "", false
		}
	}
	return id, key, true
}

// MilliUnits reads a non-negative decimal amount such as "19.99" as
// thousandths ("19.99" is 19990), the precision of every currency; digits
// beyond the third decimal are dropped. ok is false for anything else.
func MilliUnits(amount string) (int64, bool) {
	whole, frac, _ := strings.Cut(strings.TrimSpace(amount), ".")
	if whole == "" || len(whole) > 15 || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return 0, false
	}
	frac = (frac + "000")[:3]
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*1000 + f, true
}

// FormatMilli writes thousandths as a decimal with at least one digit
// after the point and no trailing zeros beyond it: 19990 is "19.99",
// 199000 is "199.0", as the Storefront API writes amounts.
func FormatMilli(m int64) string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	frac := strings.TrimRight(strconv.FormatInt(1000+m%1000, 10)[1:], "0")
	if frac == "" {
		frac = "0"
	}
	return sign + strconv.FormatInt(m/1000, 10) + "." + frac
}
