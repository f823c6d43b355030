package storekeep

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxAddressesPerCustomer bounds how many addresses one customer may
// keep: one more is refused, so that a signed-in client cannot fill the
// database through customerAddressCreate.
const MaxAddressesPerCustomer = 100

// MailingAddress is an address a customer keeps in their address book.
// Country and province are stored as resolved against Shopify's list of
// countries: Country and Province are names, CountryCode and ProvinceCode
// their codes (ProvinceCode empty where the country lists no provinces).
type MailingAddress struct {
	ID           int64
	ShopID       int64
	CustomerID   int64
	FirstName    string
	LastName     string
	Company      string
	Address1     string
	Address2     string
	City         string
	Province     string
	ProvinceCode string
	Country      string
	CountryCode  string
	Zip          string
	// Phone is in E.164 form, or empty.
	Phone string
	// Default is whether this is the customer's default address; a
	// customer with addresses has exactly one.
	Default bool
	// OrderID is set on an order's shipping or billing address, which is
	// in no address book: its global id names the order instead.
	OrderID   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Name is the first and last name joined by a space.
func (a MailingAddress) Name() string {
	return strings.TrimSpace(a.FirstName + " " + a.LastName)
}

// GID returns the address's global id, as Shopify writes a customer's
// address: gid://shopify/MailingAddress/<id>?model_name=CustomerAddress.
// Unlike some of Shopify's, it never carries an access token.
// An order's address is gid://shopify/MailingAddress/<order id>?model_name=Address.
func (a MailingAddress) GID() string {
	if a.OrderID != 0 {
		return mailingAddressGIDPrefix + strconv.FormatInt(a.OrderID, 10) + "?model_name=Address"
	}
	return MailingAddressGID(a.ID)
}

const mailingAddressGIDPrefix = "gid://shopify/MailingAddress/"

// MailingAddressGID formats an address id as a Shopify global id.
func MailingAddressGID(id int64) string {
	return mailingAddressGIDPrefix + strconv.FormatInt(id, 10) + "?model_name=CustomerAddress"
}

// ParseMailingAddressGID returns the numeric id of an address book's
// MailingAddress global id: gid://shopify/MailingAddress/<n>, where n is
// written as in a customer GID, optionally followed by a query whose
// model_name, if given, is CustomerAddress (an order's address, whose
// number is the order's, is model_name=Address); other parameters are
// ignored.
func ParseMailingAddressGID(gid string) (int64, bool) {
	rest, ok := strings.CutPrefix(gid, mailingAddressGIDPrefix)
	if !ok {
		return 0, false
	}
	number, query, _ := strings.Cut(rest, "?")
	params, err := url.ParseQuery(query)
	if err != nil {
		return 0, false
	}
	for _, model := range params["model_name"] {
		if model != "CustomerAddress" {
			return 0, false
		}
	}
	return ParseCustomerNumber(number)
}

// Node is anything with a Shopify global id, which the GraphQL Node
// interface stands for.
type Node interface {
	GID() string
}

// Same reports whether a and b read as one address: every field a customer
// gives is equal (names, company, lines, city, province and its code,
// country code, zip and phone).
func (a MailingAddress) Same(b MailingAddress) bool {
	return a.FirstName == b.FirstName && a.LastName == b.LastName && a.Company == b.Company &&
		a.Address1 == b.Address1 && a.Address2 == b.Address2 && a.City == b.City && a.Province == b.Province &&
		a.ProvinceCode == b.ProvinceCode && a.CountryCode == b.CountryCode && a.Zip == b.Zip && a.Phone == b.Phone
}
