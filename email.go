package storekeep

import (
	"net/mail"
	"strings"
)

// MaxEmailLength is the longest address storekeep accepts (RFC 5321 path).
const MaxEmailLength = 254

// NormalizeEmail returns the key under which an address is unique: trimmed
// and lower-cased. Sub-addresses (a+b@) are distinct keys, as in Shopify.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// ValidEmail reports whether email is a single bare address such as
// name@example.com: no display name, no angle brackets, a dot-free local
// part is fine but the domain must contain a dot. Both the address and its
// normalised key must fit MaxEmailLength (lower-casing can lengthen UTF-8,
// as Ⱥ becomes ⱥ), so the key of a valid address is valid too.
func ValidEmail(email string) bool {
	email = strings.TrimSpace(email)
	if email == "" || len(email) > MaxEmailLength || len(NormalizeEmail(email)) > MaxEmailLength ||
		strings.ContainsAny(email, " <>\"\r\n\t,;") {
		return false
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Name != "" || addr.Address != email {
		return false
	}
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 {
		return false
	}
	domain := email[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") &&
		!strings.HasSuffix(domain, ".") && !strings.Contains(domain, "..")
}
