package password

import (
	"unicode"
	"unicode/utf8"

	"github.com/storekeep/storekeep"
)

// Shopify's length bounds, in characters (runes) as typed; the NFKC form
// must have at least MinLength too.
const (
	MinLength = 5
	MaxLength = 40
)

// Policy judges a new password. The zero Policy applies Shopify's rules
// only; DefaultPolicy adds the common-password check.
type Policy struct {
	// RejectCommon refuses passwords on the shipped common-password list.
	RejectCommon bool
}

// DefaultPolicy returns storekeep's default policy.
func DefaultPolicy() Policy {
	return Policy{RejectCommon: true}
}

// Check returns nil if password is acceptable, else the one
// *storekeep.Error Shopify would report first, on field: leading or
// trailing whitespace, text that is not storekeep.PlainLine (INVALID), too
// short, too long, then (if p.RejectCommon) too common. Whitespace is judged on password as given,
// commonness on its NFKC form, length on both (see MinLength).
func (p Policy) Check(password string, field []string) error {
	first, _ := utf8.DecodeRuneInString(password)
	last, _ := utf8.DecodeLastRuneInString(password)
	if password != "" && (unicode.IsSpace(first) || unicode.IsSpace(last)) {
		return storekeep.NewError(storekeep.CodePasswordStartsOrEndsWithWhitespace, field,
			"Password starts or ends with whitespace")
	}
	if err := storekeep.CheckPlainLine(password, field, "Password"); err != nil {
		return err
	}
	// Shopify counts the characters as typed; the NFKC form, which is what
	// is hashed, must not come out shorter either (composition). More than
	// MaxLength as typed compose to more than MinLength, so the length as
	// typed is judged before anything is normalised.
	n := utf8.RuneCountInString(password)
	if n > MaxLength {
		return storekeep.NewError(storekeep.CodeTooLong, field, "Password is too long (maximum is 40 characters)")
	}
	normal := Normalize(password)
	if n < MinLength || utf8.RuneCountInString(normal) < MinLength {
		return storekeep.NewError(storekeep.CodeTooShort, field, "Password is too short (minimum is 5 characters)")
	}
	if p.RejectCommon && isCommon(normal) {
		return storekeep.NewError(storekeep.CodeInvalid, field, "Password is too common")
	}
	return nil
}
