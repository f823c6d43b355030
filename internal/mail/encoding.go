package mail

import (
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
