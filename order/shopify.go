package order

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/storekeep/storekeep"
)

// restOrder is the part of Shopify's REST Order resource storekeep keeps.
type restOrder struct {
	ID                   int64                   `json:"id"`
	Email                string                  `json:"email"`
	ContactEmail         string                  `json:"contact_email"`
	Phone                string                  `json:"phone"`
	Name                 string                  `json:"name"`
	OrderNumber          int64                   `json:"order_number"`
	Currency             string                  `json:"currency"`
	FinancialStatus      string                  `json:"financial_status"`
	FulfillmentStatus    string                  `json:"fulfillment_status"`
	CancelReason         string                  `json:"cancel_reason"`
	CancelledAt          string                  `json:"cancelled_at"`
	OrderStatusURL       string                  `json:"order_status_url"`
	ProcessedAt          string                  `json:"processed_at"`
	CreatedAt            string                  `json:"created_at"`
	UpdatedAt            string                  `json:"updated_at"`
	SubtotalPrice        string                  `json:"subtotal_price"`
	TotalPrice           string                  `json:"total_price"`
	TotalTax             string                  `json:"total_tax"`
	CurrentSubtotalPrice string                  `json:"current_subtotal_price"`
	CurrentTotalPrice    string                  `json:"current_total_price"`
	CurrentTotalTax      string                  `json:"current_total_tax"`
	TotalShippingSet     *moneySet               `json:"total_shipping_price_set"`
	ShippingAddress      *restAddress            `json:"shipping_address"`
	BillingAddress       *restAddress            `json:"billing_address"`
	Customer             *struct{ Email string } `json:"customer"`
	DiscountApplications []restDiscount          `json:"discount_applications"`
	LineItems            []restLineItem          `json:"line_items"`
	Refunds              []struct {
		Transactions []struct {
			Kind   string `json:"kind"`
			Status string `json:"status"`
			Amount string `json:"amount"`
		} `json:"transactions"`
	} `json:"refunds"`
}

type moneySet struct {
	ShopMoney struct {
		Amount string `json:"amount"`
	} `json:"shop_money"`
}

type restAddress struct {
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Company      string `json:"company"`
	Address1     string `json:"address1"`
	Address2     string `json:"address2"`
	City         string `json:"city"`
	Province     string `json:"province"`
	ProvinceCode string `json:"province_code"`
	Country      string `json:"country"`
	CountryCode  string `json:"country_code"`
	Zip          string `json:"zip"`
	Phone        string `json:"phone"`
}

type restDiscount struct {
	Type             string `json:"type"`
	Code             string `json:"code"`
	Title            string `json:"title"`
	Description      string `json:"description"`
	Value            string `json:"value"`
	ValueType        string `json:"value_type"`
	AllocationMethod string `json:"allocation_method"`
	TargetSelection  string `json:"target_selection"`
	TargetType       string `json:"target_type"`
}

type restLineItem struct {
	Title               string `json:"title"`
	Quantity            int64  `json:"quantity"`
	CurrentQuantity     *int64 `json:"current_quantity"`
	Price               string `json:"price"`
	TotalDiscount       string `json:"total_discount"`
	SKU                 string `json:"sku"`
	VariantID           int64  `json:"variant_id"`
	VariantTitle        string `json:"variant_title"`
	ProductID           int64  `json:"product_id"`
	DiscountAllocations []struct {
		Amount string `json:"amount"`
		Index  int    `json:"discount_application_index"`
	} `json:"discount_allocations"`
}

// Bounds of one order, so that a 1 MiB body of empty objects cannot turn
// into hundreds of thousands of rows.
const (
	MaxLineItems = 1000
	MaxDiscounts = 250
)

// ParseShopify reads one order in Shopify's REST Order JSON for shop. It
// requires a positive id and a time to order updates by (updated_at, else
// created_at or processed_at), times in the years 1678 to 2261 and an
// order_number, a GraphQL Int, between 0 and MaxQuantity;
// amounts must be decimals, quantities between 0 and MaxQuantity, a
// line's price × quantity and the sum of its discount allocations below
// 10^15, a line's discount allocations each of another discount, and
// text valid UTF-8 without control characters (C0, DEL, C1; tab aside).
func ParseShopify(shopID int64, raw []byte) (storekeep.Order, error) {
	var r restOrder
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&r); err != nil {
		return storekeep.Order{}, fmt.Errorf("not an order object: %w", err)
	}
	if dec.More() {
		return storekeep.Order{}, errors.New("more than one JSON value")
	}
	if r.ID <= 0 {
		return storekeep.Order{}, errors.New("id: a positive order id is required")
	}
	if r.OrderNumber < 0 || r.OrderNumber > MaxQuantity {
		return storekeep.Order{}, fmt.Errorf("order_number: %d is not between 0 and %d", r.OrderNumber, MaxQuantity)
	}
	if len(r.LineItems) > MaxLineItems || len(r.DiscountApplications) > MaxDiscounts {
		return storekeep.Order{}, fmt.Errorf("more than %d line items or %d discount applications", MaxLineItems, MaxDiscounts)
	}
	refunded, err := refunded(r)
	if err != nil {
		return storekeep.Order{}, err
	}
	email := firstOf(r.Email, r.ContactEmail)
	if email == "" && r.Customer != nil {
		email = r.Customer.Email
	}
	o := storekeep.Order{
		ShopID: shopID, ID: r.ID, Email: strings.TrimSpace(email), Phone: r.Phone, Name: r.Name,
		OrderNumber: r.OrderNumber, Currency: strings.ToUpper(r.Currency),
		FinancialStatus:   strings.ToUpper(r.FinancialStatus),
		FulfillmentStatus: fulfillmentStatus(r.FulfillmentStatus),
		CancelReason:      strings.ToUpper(r.CancelReason),
		StatusURL:         r.OrderStatusURL,
		Totals: storekeep.OrderTotals{
			Subtotal: r.SubtotalPrice, Total: r.TotalPrice, Tax: r.TotalTax,
			CurrentSubtotal: firstOf(r.CurrentSubtotalPrice, r.SubtotalPrice),
			CurrentTotal:    firstOf(r.CurrentTotalPrice, r.TotalPrice),
			CurrentTax:      firstOf(r.CurrentTotalTax, r.TotalTax),
			Shipping:        "0.00", Refunded: refunded,
		},
		ShippingAddress: address(r.ShippingAddress),
		BillingAddress:  address(r.BillingAddress),
	}
	if o.Email != "" {
		o.EmailKey = storekeep.NormalizeEmail(o.Email)
	}
	if r.TotalShippingSet != nil {
		o.Totals.Shipping = r.TotalShippingSet.ShopMoney.Amount
	}
	if o.ProcessedAt, err = parseTime("processed_at", firstOf(r.ProcessedAt, r.CreatedAt)); err != nil {
		return storekeep.Order{}, err
	}
	if o.UpdatedAt, err = parseTime("updated_at", firstOf(r.UpdatedAt, r.CreatedAt, r.ProcessedAt)); err != nil {
		return storekeep.Order{}, err
	}
	if o.UpdatedAt.IsZero() {
		return storekeep.Order{}, errors.New("updated_at: a time is required to order updates")
	}
	if o.CanceledAt, err = parseTime("cancelled_at", r.CancelledAt); err != nil {
		return storekeep.Order{}, err
	}
	for _, d := range r.DiscountApplications {
		o.Discounts = append(o.Discounts, storekeep.OrderDiscount{
			Kind: d.Type, Code: d.Code, Title: d.Title, Description: d.Description, Value: d.Value,
			ValueType: d.ValueType, AllocationMethod: d.AllocationMethod, TargetSelection: d.TargetSelection,
			TargetType: d.TargetType,
		})
	}
	for _, li := range r.LineItems {
		line := storekeep.OrderLineItem{
			Title: li.Title, Quantity: li.Quantity, CurrentQuantity: li.Quantity, Price: li.Price,
			TotalDiscount: firstOf(li.TotalDiscount, "0.00"), SKU: li.SKU, VariantID: li.VariantID,
			VariantTitle: li.VariantTitle, ProductID: li.ProductID,
		}
		if li.CurrentQuantity != nil {
			line.CurrentQuantity = *li.CurrentQuantity
		}
		allocated := make([]bool, len(o.Discounts))
		for _, a := range li.DiscountAllocations {
			if a.Index < 0 || a.Index >= len(o.Discounts) {
				return storekeep.Order{}, fmt.Errorf("line_items: discount_application_index %d names no discount", a.Index)
			}
			if allocated[a.Index] {
				return storekeep.Order{}, fmt.Errorf("line_items: discount %d allocated twice to one line", a.Index)
			}
			allocated[a.Index] = true
			line.Discounts = append(line.Discounts, storekeep.OrderDiscountAllocation{Amount: a.Amount, Index: a.Index})
		}
		o.LineItems = append(o.LineItems, line)
	}
	return o, check(o)
}

// check refuses amounts (discount values among them) that are not
// decimals, lines checkLine refuses and text with control characters.
func check(o storekeep.Order) error {
	t := o.Totals
	amounts := []string{t.Subtotal, t.Total, t.Tax, t.Shipping, t.Refunded, t.CurrentSubtotal, t.CurrentTotal, t.CurrentTax}
	texts := []string{o.Email, o.Phone, o.Name, o.Currency, o.FinancialStatus, o.FulfillmentStatus, o.CancelReason, o.StatusURL}
	for _, li := range o.LineItems {
		if err := checkLine(li); err != nil {
			return err
		}
		amounts = append(amounts, li.Price, li.TotalDiscount)
		texts = append(texts, li.Title, li.SKU, li.VariantTitle)
		for _, a := range li.Discounts {
			amounts = append(amounts, a.Amount)
		}
	}
	for _, d := range o.Discounts {
		amounts = append(amounts, d.Value)
	}
	for _, a := range amounts {
		if _, ok := storekeep.MilliUnits(a); a != "" && !ok {
			return fmt.Errorf("amount %q is not a decimal", a)
		}
	}
	for _, a := range []*storekeep.OrderAddress{o.ShippingAddress, o.BillingAddress} {
		if a != nil {
			texts = append(texts, a.FirstName, a.LastName, a.Company, a.Address1, a.Address2, a.City, a.Province,
				a.ProvinceCode, a.Country, a.CountryCode, a.Zip, a.Phone)
		}
	}
	for _, d := range o.Discounts {
		texts = append(texts, d.Kind, d.Code, d.Title, d.Description, d.Value, d.ValueType, d.AllocationMethod,
			d.TargetSelection, d.TargetType)
	}
	for _, s := range texts {
		if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' || r == 0xfffd }) {
			return errors.New("a text field holds control characters or invalid UTF-8")
		}
	}
	return nil
}

func fulfillmentStatus(rest string) string {
	switch rest {
	case "", "null", "unfulfilled":
		return "UNFULFILLED"
	case "partial":
		return "PARTIALLY_FULFILLED"
	}
	return strings.ToUpper(rest)
}

// refunded is the sum of r's successful refund transactions, to the
// thousandth; it must stay below 10^15, as one amount does.
func refunded(r restOrder) (string, error) {
	var total int64
	for _, ref := range r.Refunds {
		for _, t := range ref.Transactions {
			if m, ok := storekeep.MilliUnits(t.Amount); ok && t.Kind == "refund" && t.Status == "success" {
				if total += m; total > maxSumMilli {
					return "", errors.New("refunds: successful refunds sum to 10^15 or more")
				}
			}
		}
	}
	return storekeep.FormatMilli(total), nil
}

func address(a *restAddress) *storekeep.OrderAddress {
	if a == nil {
		return nil
	}
	out := storekeep.OrderAddress(*a)
	return &out
}

// An order's times must fall in [firstTime, endTime): years 1678 to 2261,
// which every store can keep (SQLite keeps int64 nanoseconds since 1970).
var (
	firstTime = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	endTime   = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %q is not an RFC 3339 time", field, s)
	}
	if t.Before(firstTime) || !t.Before(endTime) {
		return time.Time{}, fmt.Errorf("%s: %q is not in the years 1678 to 2261", field, s)
	}
	return t.UTC(), nil
}

func firstOf(list ...string) string {
	for _, s := range list {
		if s != "" {
			return s
		}
	}
	return ""
}

// parseID reads the positive id of an orders/delete body, {"id": 123}.
// The topic is not signed, so a body with a time (created_at, updated_at,
// processed_at), which a whole order's body or another resource's has
// and Shopify's deletion never does, or another resource's
// admin_graphql_api_id, is refused: a captured delivery replayed under
// orders/delete would otherwise delete its order for good.
func parseID(raw []byte) (int64, error) {
	var r struct {
		ID          int64           `json:"id"`
		GID         *string         `json:"admin_graphql_api_id"`
		CreatedAt   json.RawMessage `json:"created_at"`
		UpdatedAt   json.RawMessage `json:"updated_at"`
		ProcessedAt json.RawMessage `json:"processed_at"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return 0, fmt.Errorf("not an order object: %w", err)
	}
	if r.ID <= 0 {
		return 0, errors.New("id: a positive order id is required")
	}
	if r.CreatedAt != nil || r.UpdatedAt != nil || r.ProcessedAt != nil {
		return 0, errors.New("a deletion carries the order's id alone, not a time")
	}
	if r.GID != nil && *r.GID != "gid://shopify/Order/"+strconv.FormatInt(r.ID, 10) {
		return 0, fmt.Errorf("admin_graphql_api_id: %q is not order %d's", *r.GID, r.ID)
	}
	return r.ID, nil
}
