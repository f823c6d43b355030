package mail

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"
)

// maxLine is the longest line, in octets before its CRLF, that a part
// may carry unencoded (RFC 5322, section 2.1.1).
const maxLine = 998

// bodyEncoding is the transfer encoding of m's parts: 8bit, which sends
// them as they are, when the server announced 8BITMIME (RFC 6152) and
// every part is valid UTF-8 without NUL or carriage return and with no
// line longer than maxLine; quoted-printable otherwise. 8bit spares both
// ends the encoding, and the message is shorter.
func bodyEncoding(m Message, eightBitMIME bool) gomail.Encoding {
	if eightBitMIME && sendsAsIs(m.Text) && sendsAsIs(m.HTML) {
		return gomail.NoEncoding
	}
	return gomail.EncodingQP
}

// sendsAsIs reports whether body can go as an 8bit part: the line feeds
// become CRLF on the wire, and nothing else is changed.
func sendsAsIs(body string) bool {
	if !utf8.ValidString(body) || strings.ContainsAny(body, "\x00\r") {
		return false
	}
	for len(body) > 0 {
		line, rest, _ := strings.Cut(body, "\n")
		if len(line) > maxLine {
			return false
		}
		body = rest
	}
	return true
}

// encodedWordBytes is how many bytes of text one encoded word of
// literalSubject carries: 60 base64 characters, 72 with the word's
// delimiters, within RFC 2047's 75.
const encodedWordBytes = 45

// literalSubject returns a Subject's text as go-mail should write it so
// that readers show it as it is. go-mail encodes only text that is not
// plain ASCII, and readers decode whatever looks like an RFC 2047 encoded
// word: a subject holding "=?" (a shop's name, or a name an override
// template puts there) is written as base64 encoded words, which ASCII
// leaves as they are and readers decode back to the text. Any other
// subject is foldable's.
func literalSubject(s string) string {
	if !strings.Contains(s, "=?") {
		return foldable(s)
	}
	var words []string
	for len(s) > 0 {
		n := min(len(s), encodedWordBytes)
		for n < len(s) && n > 1 && !utf8.RuneStart(s[n]) {
			n--
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}
