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

// ShownLine reports whether s is text storekeep shows people as it was
// typed, a name or an address line: a PlainLine holding no character that
// changes how the text around it is displayed (reordering). A name could
// otherwise show in the shop's admin, in a mail or on a page as other
// text than it is ("Ada\u202Egpj.exe" shows as "Adaexe.jpg").
func ShownLine(s string) bool {
	return PlainLine(s) && !strings.ContainsFunc(s, reordering)
}

// reordering reports whether r is a format character that changes how
// the text after it is shown: the bidirectional embeddings, overrides and
// isolates (U+202A–U+202E, U+2066–U+2069), the deprecated format
// characters U+206A–U+206F, which swap, shape and substitute the glyphs
// that follow, and the interlinear annotation characters U+FFF9–U+FFFB,
// whose annotation a renderer may hide. The marks (LRM, RLM, ALM), the
// joiners (ZWNJ, ZWJ) and other format characters (Cf) are not: they
// change nothing beyond their neighbours, and scripts and emoji need them.
func reordering(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u206f' || r >= '\ufff9' && r <= '\ufffb'
}

// OneLine returns s made fit for one line of text: invalid UTF-8 becomes
// U+FFFD, every run of spaces, control characters and line separators one
// space, and a reordering character is dropped. Text storekeep did not
// validate, such as a name stored before ShownLine was enforced, goes
// through it before it is put into a mail.
func OneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return ' '
		case reordering(r):
			return -1
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

// CheckShownLine returns CheckPlainLine's INVALID *Error on field unless
// ShownLine(s): a bidirectional control is refused as a control character
// is.
func CheckShownLine(s string, field []string, label string) error {
	if ShownLine(s) {
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

// CheckName rejects a name that is not one ShownLine, is longer than
// MaxNameLength, or carries markup or a link, as Shopify does.
func CheckName(name string, field []string, label string) error {
	switch {
	case !ShownLine(name):
		return CheckShownLine(name, field, label)
	case len(name) > MaxNameLength:
		return NewError(CodeTooLong, field, label+" is too long (maximum is 255 characters)")
	case htmlTag.MatchString(name):
		return NewError(CodeContainsHTMLTags, field, label+" cannot contain HTML tags")
	case urlLike.MatchString(name):
		return NewError(CodeContainsURL, field, label+" cannot contain URL")
	}
	return nil
}
