package storekeep

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
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

// ShopSecrets are the secrets written with a shop, sealed at rest: each
// one a nil field leaves as it is, and a pointer to "" removes.
type ShopSecrets struct {
	// Webhook verifies the shop's order webhooks (their HMAC).
	Webhook *string
	// Multipass opens the shop's Multipass tokens.
	Multipass *string
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

// Scopes that guard the customer surface: the mutations, the Customer
// object wherever it appears, and its tags, which a shop's staff set and
// Shopify shows only to tokens granted them besides.
const (
	ScopeWriteCustomers   Scope = "unauthenticated_write_customers"
	ScopeReadCustomers    Scope = "unauthenticated_read_customers"
	ScopeReadCustomerTags Scope = "unauthenticated_read_customer_tags"
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

// Label names the token in an audit event: its kind and ID, such as
// "private token 7", never its value.
func (t APIToken) Label() string {
	return string(t.Kind) + " token " + strconv.FormatInt(t.ID, 10)
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

// KnownScopes are the access scopes storekeep grants: those that guard
// the customer fields it serves.
var KnownScopes = []Scope{ScopeWriteCustomers, ScopeReadCustomers, ScopeReadCustomerTags}

// ParseScopes reads a comma-separated list of access scopes, refusing an
// empty list and any scope storekeep does not know.
func ParseScopes(list string) ([]Scope, error) {
	var out []Scope
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !slices.Contains(KnownScopes, Scope(s)) {
			return nil, fmt.Errorf("unknown access scope %q: the scopes are %s", s, ScopeList())
		}
		if !slices.Contains(out, Scope(s)) {
			out = append(out, Scope(s))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no access scope given: the scopes are %s", ScopeList())
	}
	return out, nil
}

// ScopeList is KnownScopes, comma-separated, as ParseScopes reads them.
func ScopeList() string {
	names := make([]string, len(KnownScopes))
	for i, s := range KnownScopes {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// NormalizeShopDomain returns a shop's domain as it is stored: a host name
// (letters, digits and hyphens in dot-separated labels of up to 63, 253 in
// all), lower-case, without a final dot. A URL, a port or a name with
// other characters is refused with the reason; an internationalised
// domain is given in its ASCII (xn--) form.
func NormalizeShopDomain(domain string) (string, error) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	switch {
	case strings.Contains(d, "://") || strings.ContainsAny(d, "/?#@"):
		return "", fmt.Errorf("shop domain %q: give the host name alone, such as shop.example, not a URL", domain)
	case strings.Contains(d, ":"):
		return "", fmt.Errorf("shop domain %q: give the host name without a port", domain)
	case !isHostName(d):
		return "", fmt.Errorf("shop domain %q is not a host name: dot-separated labels of letters, digits and hyphens "+
			"(an internationalised domain in its xn-- form), such as shop.example", domain)
	}
	return d, nil
}

// NormalizeShopName returns a shop's name as it is stored: trimmed of
// spaces, one plain line (PlainLine) of 1 to MaxNameLength bytes. The name
// is the sender's display name and stands in every mail's subject, so a
// name on two lines or longer than a header line can hold is refused.
func NormalizeShopName(name string) (string, error) {
	n := strings.TrimSpace(name)
	switch {
	case n == "":
		return "", errors.New("a shop's name must not be empty")
	case !PlainLine(n):
		return "", errors.New("a shop's name must be valid UTF-8 on one line, without control characters")
	case len(n) > MaxNameLength:
		return "", fmt.Errorf("a shop's name must be at most %d bytes, not %d", MaxNameLength, len(n))
	}
	return n, nil
}

// NormalizeStorefrontURL returns a storefront URL as it is stored: an
// absolute http or https URL whose host is a host name or an IP address,
// with an optional port and path (without "." or ".." segments), without
// user, query or fragment, and without a final slash.
func NormalizeStorefrontURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	u, err := url.Parse(s)
	bad := func(why string) error { return fmt.Errorf("storefront URL %q: %s", raw, why) }
	switch {
	case err != nil || !u.IsAbs() || u.Opaque != "":
		return "", bad("give an absolute URL such as https://shop.example")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", bad("the scheme must be http or https")
	case u.User != nil:
		return "", bad("a user name or password has no place in it")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#"):
		return "", bad("links are built under it, so it takes no query or fragment")
	case hasDotSegment(u.Path):
		return "", bad("its path has a . or .. segment, which a browser resolves away from the links built under it, " +
			"so they would not be the links it mailed; give the path it leads to")
	}
	host := strings.ToLower(u.Hostname())
	if _, err := netip.ParseAddr(host); err != nil && !isHostName(strings.TrimSuffix(host, ".")) {
		return "", bad("its host is not a host name or an IP address")
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", bad("its port is not a number from 1 to 65535")
		}
	}
	u.Host = strings.ToLower(u.Host)
	return strings.TrimRight(u.String(), "/"), nil
}

// hasDotSegment reports whether the decoded path p has a "." or ".."
// segment.
func hasDotSegment(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// isHostName reports whether s is a host name in letters, digits and
// hyphens (RFC 1123).
func isHostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
