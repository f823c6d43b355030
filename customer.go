package storekeep

import (
	"strconv"
	"strings"
	"time"
)

// CustomerState is the lifecycle state of an account.
type CustomerState string

const (
	// CustomerEnabled can log in.
	CustomerEnabled CustomerState = "enabled"
	// CustomerInvited was created without a password and awaits activation.
	CustomerInvited CustomerState = "invited"
	// CustomerDisabled may not log in, reset or activate.
	CustomerDisabled CustomerState = "disabled"
)

// Customer is a shop's customer account.
type Customer struct {
	ID     int64
	ShopID int64
	// Email is the address as the customer gave it; EmailKey is its
	// normalised form, unique per shop.
	Email            string
	EmailKey         string
	FirstName        string
	LastName         string
	Phone            string
	AcceptsMarketing bool
	Tags             []string
	State            CustomerState
	// PasswordHash is a PHC-format argon2id string, empty when unset.
	PasswordHash   string
	NumberOfOrders int64
	// EmailVerifiedAt is when the customer proved it owns the mailbox of
	// Email (by redeeming a link mailed to it, or on the word of the shop
	// or the operator); zero while unproven. Orders placed with an address
	// are shown only to a customer that proved it.
	EmailVerifiedAt time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// Version counts the writes of the customer: the store sets it, 0 at
	// creation, and every write of the customer adds one, whatever time
	// it stamps. An update is applied only while the stored customer
	// still has the Version its caller read (see CustomerUpdate.Read).
	Version int64
}

// DisplayName is the name shown for the customer: first and last name, or
// the email when both are empty.
func (c Customer) DisplayName() string {
	name := strings.TrimSpace(c.FirstName + " " + c.LastName)
	if name != "" {
		return name
	}
	return c.Email
}

// GreetingName is the first name a mail to the customer's address may
// greet them by: FirstName once the customer has proved it owns that
// address, or while an operator's invitation (which gave the name) waits,
// and "" otherwise. A sign-up proves no mailbox, so the name of an
// unproven account is whatever the one who signed up typed: spoken in a
// mail the shop sends to that address, it would carry a stranger's words
// ("there. Your order is on hold: call ...") under the shop's own sender.
func (c Customer) GreetingName() string {
	if c.EmailVerifiedAt.IsZero() && c.State != CustomerInvited {
		return ""
	}
	return c.FirstName
}

// GID returns the customer's global id, gid://shopify/Customer/<id>.
func (c Customer) GID() string { return CustomerGID(c.ID) }

const customerGIDPrefix = "gid://shopify/Customer/"

// CustomerGID formats a customer id as a Shopify global id.
func CustomerGID(id int64) string {
	return customerGIDPrefix + strconv.FormatInt(id, 10)
}

// ParseCustomerGID returns the numeric id of gid://shopify/Customer/<n>,
// where n is a positive 64-bit integer written without sign or leading zeros.
func ParseCustomerGID(gid string) (int64, bool) {
	rest, ok := strings.CutPrefix(gid, customerGIDPrefix)
	if !ok {
		return 0, false
	}
	return ParseCustomerNumber(rest)
}

// ParseCustomerNumber parses the <n> of a customer GID or account URL.
func ParseCustomerNumber(s string) (int64, bool) {
	if s == "" || s[0] < '1' || s[0] > '9' {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}
