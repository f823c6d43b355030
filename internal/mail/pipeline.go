package mail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"syscall"

	gosmtp "github.com/wneessen/go-mail/smtp"
)

// step is the part of a transaction that a reply answers.
type step int

const (
	stepMail step = iota
	stepRcpt
	stepData
)

func (s step) String() string {
	return [...]string{"MAIL FROM", "RCPT TO", "BDAT"}[s]
}

// txError is a pipelined transaction's failure: the server's reply to one
// of its steps, or, with code 0, the connection failing there. unsettled
// says the session is not left in a known state, so the connection must
// go.
type txError struct {
	step      step
	code      int
	unsettled bool
	err       error
}

func (e *txError) Error() string {
	if e.code != 0 {
		return fmt.Sprintf("mail: %s: %d %v", e.step, e.code, e.err)
	}
	return fmt.Sprintf("mail: %s: %v", e.step, e.err)
}

func (e *txError) Unwrap() error { return e.err }

// pipelines reports whether the server takes a whole transaction in one
// write: PIPELINING (RFC 2920) with CHUNKING (RFC 3030). PIPELINING alone
// still needs a round trip for DATA's 354 and measured no faster than a
// command at a time (BENCHMARKS.md).
func pipelines(c *gosmtp.Client) bool {
	pipelining, _ := c.Extension("PIPELINING")
	chunking, _ := c.Extension("CHUNKING")
	return pipelining && chunking
}

// sendPipelined sends raw, a message whose lines end in CRLF, from env.from to env.to in one round trip: MAIL,
// RCPT and BDAT with the message itself go in one write, and the three
// replies are read after. A server that refuses MAIL or RCPT still reads
// the chunk and refuses BDAT (RFC 3030, section 2); the session is then
// reset. go-mail, which sends each command after the last one's reply,
// four round trips, stays the way for servers without both extensions.
//
// env's addresses are bare ones that net/mail parsed (parseEnvelope), so
// no CR, LF or NUL in them can end a command early.
func sendPipelined(c *gosmtp.Client, env envelope, raw []byte) error {
	w := c.Text.W
	fmt.Fprintf(w, "MAIL FROM:<%s>%s\r\nRCPT TO:<%s>\r\nBDAT %d LAST\r\n",
		env.from.Address, mailParams(c), env.to.Address, len(raw))
	w.Write(raw)
	if err := w.Flush(); err != nil {
		return &txError{step: stepMail, unsettled: true, err: err}
	}
	return settle(c, []error{reply(c, stepMail, 250), reply(c, stepRcpt, 250), reply(c, stepData, 250)})
}

// settle returns the first of a transaction's failures, resetting the
// session when the server refused a step and the connection still holds.
func settle(c *gosmtp.Client, errs []error) error {
	var first *txError
	for _, err := range errs {
		var te *txError
		if errors.As(err, &te) {
			if first == nil {
				first = te
			}
			if te.code == 0 || te.code == 421 {
				te.unsettled = true
			}
			if te.unsettled {
				first.unsettled = true
			}
		}
	}
	if first == nil {
		return nil
	}
	if !first.unsettled {
		if err := c.Reset(); err != nil {
			first.unsettled = true
		}
	}
	return first
}

// reply reads the server's reply to st, which succeeds with code want.
func reply(c *gosmtp.Client, st step, want int) error {
	code, msg, err := c.Text.ReadResponse(want)
	if err == nil {
		return nil
	}
	var pe *textproto.Error
	if errors.As(err, &pe) {
		return &txError{step: st, code: pe.Code, err: errors.New(pe.Msg)}
	}
	if code != 0 {
		return &txError{step: st, code: code, unsettled: true, err: fmt.Errorf("%s: %w", msg, err)}
	}
	return &txError{step: st, unsettled: true, err: err}
}

// mailParams are MAIL FROM's parameters as go-mail sends them.
func mailParams(c *gosmtp.Client) string {
	var p string
	if ok, _ := c.Extension("8BITMIME"); ok {
		p += " BODY=8BITMIME"
	}
	if ok, _ := c.Extension("SMTPUTF8"); ok {
		p += " SMTPUTF8"
	}
	return p
}

// crlfWriter appends what is written to it to buf with every bare line
// feed made CRLF, as DATA's dot encoding would: BDAT carries the octets as
// they are, and a message must still end its lines with CRLF (RFC 3030,
// section 3).
type crlfWriter struct {
	buf *bytes.Buffer
	cr  bool
}

func (c *crlfWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			c.buf.Write(p)
			c.cr = p[len(p)-1] == '\r'
			break
		}
		c.buf.Write(p[:i])
		if i > 0 && p[i-1] != '\r' || i == 0 && !c.cr {
			c.buf.WriteByte('\r')
		}
		c.buf.WriteByte('\n')
		c.cr = false
		p = p[i+1:]
	}
	return n, nil
}

// closedBeforeReply reports whether err says the connection was gone
// before the server answered anything: it closed, reset or refused the
// write, rather than timing out while the message may have arrived.
func closedBeforeReply(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
