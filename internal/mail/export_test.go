package mail

import "net"

// WithConnTap makes the sender talk over tap(conn) for each connection it
// dials, so that a test can watch the conversation.
func WithConnTap(tap func(net.Conn) net.Conn) SMTPOption {
	return func(s *SMTPSender) { s.tap = tap }
}

// CRLF exposes crlf to the tests.
var CRLF = crlf
