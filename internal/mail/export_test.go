package mail

import (
	"bytes"
	"net"
)

// WithConnTap makes the sender talk over tap(conn) for each connection it
// dials, so that a test can watch the conversation.
func WithConnTap(tap func(net.Conn) net.Conn) SMTPOption {
	return func(s *SMTPSender) { s.tap = tap }
}

// CRLF writes in to a crlfWriter chunk bytes at a time and returns what
// it made of it.
func CRLF(in string, chunk int) string {
	var buf bytes.Buffer
	w := &crlfWriter{buf: &buf}
	for len(in) > 0 {
		n := min(chunk, len(in))
		w.Write([]byte(in[:n]))
		in = in[n:]
	}
	return buf.String()
}

// TrimLines exposes trimLines to the tests.
var TrimLines = trimLines

// MessageBufferCap is the capacity of the buffer s keeps for the next
// pipelined message.
func MessageBufferCap(s *SMTPSender) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.Cap()
}

// PoolWaiting is how many sends wait for one of p's connections to come
// free.
func PoolWaiting(p *SMTPPool) int { return p.group.Waiting() }
