package storekeep

import (
	"strings"

	"golang.org/x/net/idna"
)

// Length bounds of an address, in bytes of its stored form (RFC 5321).
const (
	MaxEmailLength = 254
	MaxLocalLength = 64
	// MaxTypedEmailLength bounds an address as typed, in bytes, before its
	// domain is converted, which costs time growing with the square of a
	// label's length. A domain takes at most 4 bytes as typed for each of
	// its ASCII form, so only addresses padded with characters IDNA
	// ignores (U+00AD, U+200B) could be longer and still convert.
	MaxTypedEmailLength = 1024
)

// domainProfile converts a domain to its ASCII form as a resolver would
// look it up: UTS #46 mapping (case, width and compatibility forms folded),
// non-transitional, label and bidi rules checked, DNS lengths enforced.
var domainProfile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.BidiRule(),
	idna.VerifyDNSLength(true),
)

// Address is an email address storekeep accepts. Its local part is
// printable ASCII (an RFC 5322 dot-atom), kept as given; its domain is held
// in ASCII (IDNA A-label) form.
type Address struct {
	Local  string
	Domain string
}

// String is the address mail is sent to and the one stored: the local part
// as given, at the ASCII form of the domain.
func (a Address) String() string { return a.Local + "@" + a.Domain }

// Key is the address's unique key: its String with the local part folded to
// ASCII lower case.
func (a Address) Key() string { return asciiLower(a.Local) + "@" + a.Domain }

// ParseEmail parses a single bare address such as name@example.com, without
// display name or angle brackets, after trimming spaces around it (not
// control characters or line separators: PlainLine must hold). The local
// part must be a dot-atom of printable ASCII: non-ASCII, invisible and
// control characters are refused there, so two addresses that look the same
// are the same bytes. The domain may be internationalised; it is converted
// to ASCII with IDNA (UTS #46), must have a dot, and its ASCII form must be
// accepted as it is. ok is false for anything
// else, including an address longer than MaxEmailLength once converted.
func ParseEmail(email string) (a Address, ok bool) {
	if !PlainLine(email) {
		return Address{}, false
	}
	email = strings.TrimSpace(email)
	if len(email) > MaxTypedEmailLength {
		return Address{}, false
	}
	local, domain, found := strings.Cut(email, "@")
	if !found || !dotAtom(local) || len(local) > MaxLocalLength {
		return Address{}, false
	}
	ascii, err := domainProfile.ToASCII(domain)
	if err != nil || !strings.Contains(ascii, ".") || strings.HasSuffix(ascii, ".") || !asciiFormAccepted(domain, ascii) {
		return Address{}, false
	}
	a = Address{Local: local, Domain: asciiLower(ascii)}
	if len(a.String()) > MaxEmailLength {
		return Address{}, false
	}
	return a, true
}

// ValidEmail reports whether ParseEmail accepts email.
func ValidEmail(email string) bool {
	_, ok := ParseEmail(email)
	return ok
}

// NormalizeEmail returns the key under which an address is unique: its
// Key when ParseEmail accepts it. Sub-addresses (a+b@) are distinct keys,
// as in Shopify. An address ParseEmail refuses gets its text with ASCII
// letters lower-cased, a key no accepted address has: trimmed as
// ParseEmail trims, unless it holds a control character or line
// separator, which trimming could take away to leave an address it
// accepts.
func NormalizeEmail(email string) string {
	if a, ok := ParseEmail(email); ok {
		return a.Key()
	}
	if !PlainLine(email) {
		return asciiLower(email)
	}
	return asciiLower(strings.TrimSpace(email))
}

// asciiFormAccepted reports whether ascii, the ASCII form of domain, is
// accepted as it is. The bidi rule is checked on a domain as given, before
// mapping: a compatibility character of left-to-right class that maps to a
// right-to-left letter (U+2138 to Hebrew dalet) makes a domain that passes
// in Unicode and fails once written in ASCII, the form mail goes to and
// keys are made of. A domain given in its ASCII form was checked in it.
func asciiFormAccepted(domain, ascii string) bool {
	if ascii == domain {
		return true
	}
	again, err := domainProfile.ToASCII(ascii)
	return err == nil && asciiLower(again) == asciiLower(ascii)
}

// dotAtom reports whether s is an RFC 5322 dot-atom: atext runs separated
// by single dots.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '.' && !atext(c) {
			return false
		}
	}
	return true
}

func atext(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// asciiLower lower-cases ASCII letters only; no Unicode case mapping, under
// which İ and the Kelvin sign K would become i and k.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
