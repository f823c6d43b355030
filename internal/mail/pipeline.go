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
	stepEnd
	stepReset
)

func (s step) String() string {
	return [...]string{"MAIL FROM", "RCPT TO", "DATA", "end of data", "RSET"}[s]
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

// pipelines reports whether the server takes a transaction's commands in
// one write (PIPELINING, RFC 2920).
func pipelines(c *gosmtp.Client) bool {
	ok, _ := c.Extension("PIPELINING")
	return ok
}

// sendPipelined sends raw, a message whose lines end in CRLF, from env.from
// to env.to. Where the server takes CHUNKING (RFC 3030) that is one round
// trip: MAIL, RCPT and BDAT with the message itself go in one write, and
// the three replies are read after; a server that refuses MAIL or RCPT
// still reads the chunk and refuses BDAT. Without CHUNKING it is two: MAIL,
// RCPT and DATA in one write, then the message after DATA's 354, or only
// its end when a step was refused. A session left in a transaction by a
// refusal is reset. go-mail, which sends each command after the last one's
// reply, four round trips, stays the way for servers without PIPELINING.
//
// env's addresses are bare ones that net/mail parsed (parseEnvelope), so
// no CR, LF or NUL in them can end a command early.
func sendPipelined(c *gosmtp.Client, env envelope, raw []byte) error {
	chunking, _ := c.Extension("CHUNKING")
	w := c.Text.W
	fmt.Fprintf(w, "MAIL FROM:<%s>%s\r\nRCPT TO:<%s>\r\n", env.from.Address, mailParams(c), env.to.Address)
	if chunking {
		fmt.Fprintf(w, "BDAT %d LAST\r\n", len(raw))
		w.Write(raw)
	} else {
		w.WriteString("DATA\r\n")
	}
	if err := w.Flush(); err != nil {
		return &txError{step: stepMail, unsettled: true, err: err}
	}
	errs := []error{reply(c, stepMail, 250), reply(c, stepRcpt, 250)}
	if chunking {
		return settle(c, append(errs, reply(c, stepData, 250)))
	}
	errs = append(errs, reply(c, stepData, 354))
	accepted := errs[0] == nil && errs[1] == nil
	return settle(c, append(errs, endData(c, raw, accepted, errs[2] == nil)))
}

// endData sends the message after DATA's 354 and reads the reply to its
// end. When MAIL or RCPT was refused and the server opened the data all
// the same, it ends the data at once, with nothing in it, so the session
// can be reset.
func endData(c *gosmtp.Client, raw []byte, accepted, opened bool) error {
	if !opened {
		return nil
	}
	if err := writeData(c, raw, accepted); err != nil {
		return &txError{step: stepEnd, unsettled: true, err: err}
	}
	err := reply(c, stepEnd, 250)
	if !accepted && err == nil {
		return &txError{step: stepEnd, unsettled: true, err: errors.New("server took data with no recipient")}
	}
	return err
}

// writeData writes the message dot-stuffed and its end, or, when send is
// false, the end alone.
func writeData(c *gosmtp.Client, raw []byte, send bool) error {
	if !send {
		c.Text.W.WriteString(".\r\n")
		return c.Text.W.Flush()
	}
	dw := c.Text.DotWriter()
	if _, err := dw.Write(raw); err != nil {
		return err
	}
	return dw.Close()
}

// settle returns the first of a transaction's failures, resetting the
// session when the server refused a step and the connection still holds.
func settle(c *gosmtp.Client, errs []error) error {
	first := firstFailure(errs)
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

// firstFailure is the first of a transaction's failures, unsettled when
// any of them is, or nil.
func firstFailure(errs []error) *txError {
	var first *txError
	for _, err := range errs {
		var te *txError
		if errors.As(err, &te) {
			if first == nil {
				first = te
			}
			first.unsettled = first.unsettled || te.unsettled
		}
	}
	return first
}

// reply reads the server's reply to st, which succeeds with code want. A
// failure to read and a 421 (the server closing) leave the session
// unsettled.
func reply(c *gosmtp.Client, st step, want int) error {
	code, msg, err := c.Text.ReadResponse(want)
	if err == nil {
		return nil
	}
	var pe *textproto.Error
	if errors.As(err, &pe) {
		return &txError{step: st, code: pe.Code, unsettled: pe.Code == 421, err: errors.New(pe.Msg)}
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
