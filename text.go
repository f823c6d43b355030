package storekeep

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PlainLine reports whether s is text storekeep stores or mails: valid
// UTF-8 holding no control character (Unicode Cc: NUL, tab, CR, LF, DEL, the
// C1 controls) and no line or paragraph separator (U+2028, U+2029). No input
// storekeep takes may span lines, so none may break a mail's lines either.
func PlainLine(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// OneLine returns s made fit for one line of text: invalid UTF-8 becomes
// U+FFFD and every run of spaces, control characters and line separators
// one space. Text storekeep did not validate, such as a name stored before
// PlainLine was enforced, goes through it before it is put into a mail.
func OneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Join(strings.Fields(s), " ")
}

// CheckPlainLine returns an INVALID *Error on field, naming label, unless
// PlainLine(s).
func CheckPlainLine(s string, field []string, label string) error {
	if PlainLine(s) {
		return nil
	}
	return NewError(CodeInvalid, field, label+" must be valid UTF-8 on one line, without control characters")
}

// MaxNameLength is the longest name storekeep accepts, in bytes: a
// customer's or an address's first or last name, and every other line of
// an address.
const MaxNameLength = 255

var (
	htmlTag = regexp.MustCompile(`<\s*/?\s*[a-zA-Z][^>]*>`)
	urlLike = regexp.MustCompile(`(?i)(https?://|www\.)`)
)

// CheckName rejects a name that is not one plain line, is longer than
// MaxNameLength, or carries markup or a link, as Shopify does.
func CheckName(name string, field []string, label string) error {
	switch {
	case !PlainLine(name):
		return CheckPlainLine(name, field, label)
	case len(name) > MaxNameLength:
		return NewError(CodeTooLong, field, label+" is too long (maximum is 255 characters)")
	case htmlTag.MatchString(name):
		return NewError(CodeContainsHTMLTags, field, label+" cannot contain HTML tags")
	case urlLike.MatchString(name):
		return NewError(CodeContainsURL, field, label+" cannot contain URL")
	}
	return nil
}
