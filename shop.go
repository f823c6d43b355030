package storekeep

import (
	"strings"
	"time"
)

// Enumeration decides what customerRecover says about an unknown email.
type Enumeration string

const (
	// EnumerationPrivate answers an unknown email exactly as a known one and
	// sends no mail. It is the default.
	EnumerationPrivate Enumeration = "private"
	// EnumerationShopify answers as Shopify does: UNIDENTIFIED_CUSTOMER.
	EnumerationShopify Enumeration = "shopify"
)

// Shop is one storefront served by storekeep. Every customer and token
// belongs to exactly one shop.
type Shop struct {
	ID     int64
	Domain string
	Name   string
	// StorefrontURL is the base of links in mail, such as
	// https://shop.example; reset links are StorefrontURL/account/reset/...
	// Empty, the base is the server's default (see LinkBase).
	StorefrontURL string
	Enumeration   Enumeration
	// MailFrom and ReplyTo, when set, are the shop's sender and reply-to
	// addresses; otherwise the server's defaults apply.
	MailFrom string
	ReplyTo  string
	// Locale is the shop's default mail locale, such as "en" or "fr-CA".
	Locale    string
	CreatedAt time.Time
}

// LinkBase is the base of the shop's links: its StorefrontURL, else
// fallback (a server's own address while mail goes to its development
// mailbox), else https://<domain>. It never ends with a slash.
func (s Shop) LinkBase(fallback string) string {
	for _, base := range []string{s.StorefrontURL, fallback} {
		if base = strings.TrimRight(base, "/"); base != "" {
			return base
		}
	}
	return "https://" + s.Domain
}

// Scope is a Storefront API access scope granted to an APIToken.
type Scope string

// Scopes that guard the customer surface.
const (
	ScopeWriteCustomers Scope = "unauthenticated_write_customers"
	ScopeReadCustomers  Scope = "unauthenticated_read_customers"
)

// APITokenKind tells where a Storefront token may be used.
type APITokenKind string

const (
	// APITokenPublic is sent from browsers as X-Shopify-Storefront-Access-Token.
	APITokenPublic APITokenKind = "public"
	// APITokenPrivate is sent from servers as Shopify-Storefront-Private-Token;
	// only it may name the buyer's IP.
	APITokenPrivate APITokenKind = "private"
)

// APIToken authenticates a storefront to storekeep. The token itself is
// never stored: Hash is its keyed hash.
type APIToken struct {
	ID        int64
	ShopID    int64
	Kind      APITokenKind
	Scopes    []Scope
	Hash      []byte
	CreatedAt time.Time
}

// HasScope reports whether the token grants s.
func (t APIToken) HasScope(s Scope) bool {
	for _, have := range t.Scopes {
		if have == s {
			return true
		}
	}
	return false
}
