package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// smtpIdleTimeout is how long a connection stays open after the last send
// of a burst.
const smtpIdleTimeout = 15 * time.Second

// maxKeptMessage is the largest buffer a sender keeps from one message to
// the next; a larger message's is let go.
const maxKeptMessage = 256 << 10

// SMTPSender sends mail through one SMTP server. It keeps one connection
// open across a burst of messages, closes it once idle, and dials again
// when the server dropped it. It is safe for concurrent use: sends take
// turns on the one connection.
type SMTPSender struct {
	cfg    smtpConfig
	client *gomail.Client
	dkim   *DKIM
	tap    func(net.Conn) net.Conn

	mu      sync.Mutex
	raw     bytes.Buffer
	conn    *gosmtp.Client
	netConn net.Conn
	dialed  net.Conn
	// caller is the context of the dial under way; unwatch stops closing
	// dialed when it ends, set by dialNet once it has a connection and
	// called when the handshake is over.
	caller  context.Context
	unwatch func() bool
	idle    *time.Timer
}

// NewSMTPSender returns a sender for a URL of the form
// smtp://[user:pass@]host[:port][?options] or smtps://... (implicit TLS).
// The port defaults to 25 for smtp and 465 for smtps. Options:
//
//	starttls=opportunistic|required|none  smtp only; opportunistic by default
//	auth=plain|login                      mechanism; by default PLAIN, else LOGIN
//	timeout=30s                           per dial and per command
//	insecure_skip_verify=1                accept any certificate (tests only)
//
// Certificates are verified, STARTTLS included. Credentials are sent only
// over TLS or to a server on localhost. Options after the URL, such as
// WithDKIM, add to that. NewSMTPSender does not connect; the first Send
// does.
func NewSMTPSender(rawURL string, options ...SMTPOption) (*SMTPSender, error) {
	cfg, err := parseSMTPURL(rawURL)
	if err != nil {
		return nil, err
	}
	s := &SMTPSender{cfg: cfg}
	for _, o := range options {
		o(s)
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.port),
		gomail.WithTimeout(cfg.timeout),
		gomail.WithHELO(cfg.helo),
		gomail.WithTLSConfig(cfg.tls),
		gomail.WithTLSPolicy(cfg.starttls),
		gomail.WithDialContextFunc(s.dialNet),
		gomail.WithoutNoop(),
		gomail.WithoutRset(),
	}
	if cfg.username != "" {
		opts = append(opts, gomail.WithUsername(cfg.username), gomail.WithPassword(cfg.password))
		if cfg.auth != "" {
			opts = append(opts, gomail.WithSMTPAuth(cfg.auth))
		} else {
			opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin))
		}
	}
	s.client, err = gomail.NewClient(cfg.host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: smtp client: %w", err)
	}
	return s, nil
}

// SMTPOption configures an SMTPSender.
type SMTPOption func(*SMTPSender)

// WithDKIM signs every message with d.
func WithDKIM(d *DKIM) SMTPOption {
	return func(s *SMTPSender) { s.dkim = d }
}

// String returns the server URL with its password redacted.
func (s *SMTPSender) String() string { return s.cfg.redacted }

// Send delivers m. A 5xx reply to RCPT or DATA, or an address that cannot
// be parsed, is permanent; failures to connect and 4xx replies are not.
// Cancelling ctx aborts a send under way. A transaction is MAIL, RCPT and
// DATA alone, with no NOOP to test the connection first and no RSET
// after; a kept connection that turns out closed at MAIL FROM is replaced
// once, at once.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	env, err := parseEnvelope(m)
	if err != nil {
		return Permanent(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idle != nil {
		s.idle.Stop()
	}
	defer s.armIdle()
	return s.sendOneLocked(ctx, m, env)
}

// sendOneLocked sends m, over a new connection once more at once when the
// one kept from an earlier send turns out gone, and classifies the error.
func (s *SMTPSender) sendOneLocked(ctx context.Context, m Message, env envelope) error {
	reused := s.conn != nil
	err := s.sendLocked(ctx, m, env)
	if reused && stale(err) {
		s.dropLocked(false)
		err = s.sendLocked(ctx, m, env)
	}
	return classify(err)
}

// Close ends the open connection, if any. The sender stays usable.
func (s *SMTPSender) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idle != nil {
		s.idle.Stop()
	}
	s.dropLocked(true)
	return nil
}

// sendLocked sends m over the connection, dialling first if there is
// none. The message is built once the server's extensions are known: its
// parts go as 8bit when the server takes 8BITMIME and they allow it.
func (s *SMTPSender) sendLocked(ctx context.Context, m Message, env envelope) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.conn == nil {
		if err := s.dialLocked(ctx); err != nil {
			return err
		}
	}
	msg, err := s.composeLocked(m, env)
	if err != nil {
		return err
	}
	conn := s.netConn
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	delivered, err := s.transactLocked(msg, env)
	if !stop() {
		s.dropLocked(false)
		if delivered {
			return nil
		}
		return s.interrupted(ctx)
	}
	if err != nil && !keepsConnection(err) {
		s.dropLocked(false)
	}
	if delivered {
		return nil
	}
	return err
}

// transactLocked runs msg's transaction: pipelined where the server
// takes it, else go-mail's one command at a time.
func (s *SMTPSender) transactLocked(msg *gomail.Msg, env envelope) (delivered bool, err error) {
	if !pipelines(s.conn) {
		err := s.client.SendWithSMTPClient(s.conn, msg)
		return msg.IsDelivered(), err
	}
	defer s.keepRaw()
	if err := s.appendRaw(msg); err != nil {
		return false, err
	}
	if err := s.conn.UpdateDeadline(s.cfg.timeout); err != nil {
		return false, &txError{step: stepMail, unsettled: true, err: err}
	}
	err = sendPipelined(s.conn, env, s.raw.Bytes())
	return err == nil, err
}

// composeLocked builds m for the connection's server, its parts as 8bit
// where the server takes 8BITMIME and they allow it, and signs it when the
// sender has a DKIM key.
func (s *SMTPSender) composeLocked(m Message, env envelope) (*gomail.Msg, error) {
	eightBitMIME, _ := s.conn.Extension("8BITMIME")
	msg := newMsg(m, env, bodyEncoding(m, eightBitMIME))
	if s.dkim != nil {
		if err := s.dkim.sign(msg, m.From); err != nil {
			return nil, err
		}
	}
	return msg, nil
}

// appendRaw appends msg to the message buffer with its lines ended in
// CRLF, or leaves the buffer as it was when msg cannot be written.
func (s *SMTPSender) appendRaw(msg *gomail.Msg) error {
	start := s.raw.Len()
	if _, err := msg.WriteTo(&crlfWriter{buf: &s.raw}); err != nil {
		s.raw.Truncate(start)
		return fmt.Errorf("mail: compose message: %w", err)
	}
	return nil
}

// interrupted is the error of a send cut off by the end of ctx.
func (s *SMTPSender) interrupted(ctx context.Context) error {
	return fmt.Errorf("mail: send to %s interrupted: %w", s.cfg.addr, context.Cause(ctx))
}

// keepRaw empties the message buffer for the next send, and lets it go
// when a large message grew it, so that an idle connection does not hold
// it.
func (s *SMTPSender) keepRaw() {
	s.raw.Reset()
	if s.raw.Cap() > maxKeptMessage {
		s.raw = bytes.Buffer{}
	}
}

func (s *SMTPSender) dialLocked(ctx context.Context) error {
	s.dialed, s.caller, s.unwatch = nil, ctx, nil
	c, err := s.client.DialToSMTPClientWithContext(ctx)
	if s.unwatch != nil && !s.unwatch() {
		err = ctx.Err()
	}
	s.caller, s.unwatch = nil, nil
	if err != nil {
		if s.dialed != nil {
			s.dialed.Close()
			s.dialed = nil
		}
		return fmt.Errorf("mail: connect to %s: %w", s.cfg.addr, err)
	}
	s.conn, s.netConn, s.dialed = c, s.dialed, nil
	return nil
}

// dialNet is go-mail's dialer: it remembers the connection so that a
// failed handshake does not leak it, and closes it when the caller's
// context ends before the handshake is over (go-mail reads the greeting
// and runs EHLO, STARTTLS and AUTH under its own timeout, and ctx here is
// go-mail's, which ends when the dial returns), so that a relay that hangs
// before its greeting holds no caller that has left.
func (s *SMTPSender) dialNet(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	var conn net.Conn
	var err error
	if s.cfg.implicitTLS {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: s.cfg.tls}).DialContext(ctx, network, addr)
	} else {
		conn, err = d.DialContext(ctx, network, addr)
	}
	if err == nil {
		if s.tap != nil {
			conn = s.tap(conn)
		}
		s.dialed = conn
		if s.caller != nil {
			s.unwatch = context.AfterFunc(s.caller, func() { conn.Close() })
		}
	}
	return conn, err
}

// dropLocked forgets the connection, saying QUIT first when quit is set.
func (s *SMTPSender) dropLocked(quit bool) {
	if s.conn == nil {
		return
	}
	if quit {
		_ = s.client.CloseWithSMTPClient(s.conn)
	}
	_ = s.netConn.Close()
	s.conn, s.netConn = nil, nil
}

func (s *SMTPSender) armIdle() {
	if s.conn == nil {
		return
	}
	if s.idle == nil {
		s.idle = time.AfterFunc(smtpIdleTimeout, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.dropLocked(true)
		})
		return
	}
	s.idle.Reset(smtpIdleTimeout)
}

// stale reports whether err says that a connection kept from an earlier
// send was gone before this message's transaction began: MAIL FROM, its
// first command, met a closed connection or the server's 421 (closing, as
// a server says when it drops an idle client). Nothing was delivered, so
// the message can go at once over a new connection.
func stale(err error) bool {
	var te *txError
	if errors.As(err, &te) {
		return beganNothing(te)
	}
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return false
	}
	switch se.Reason {
	case gomail.ErrConnCheck:
		return true
	case gomail.ErrSMTPMailFrom:
		code := se.ErrorCode()
		return code == 0 || code == 421
	}
	return false
}

// keepsConnection reports whether err is a reply to one transaction after
// which the session is still in a known state.
func keepsConnection(err error) bool {
	var te *txError
	if errors.As(err, &te) {
		return !te.unsettled
	}
	var se *gomail.SendError
	if !errors.As(err, &se) || se.ErrorCode() == 0 || se.ErrorCode() == 421 {
		return false
	}
	switch se.Reason {
	case gomail.ErrSMTPMailFrom, gomail.ErrSMTPRcptTo, gomail.ErrSMTPDataClose:
		return true
	}
	return false
}

// classify marks the errors that a later attempt cannot cure.
func classify(err error) error {
	var te *txError
	if errors.As(err, &te) {
		if te.step != stepMail && te.step != stepReset && te.code >= 500 && te.code < 600 {
			return Permanent(err)
		}
		return err
	}
	var se *gomail.SendError
	if err == nil || !errors.As(err, &se) {
		return err
	}
	switch se.Reason {
	case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
		if code := se.ErrorCode(); code >= 500 && code < 600 {
			return Permanent(err)
		}
	case gomail.ErrGetSender, gomail.ErrGetRcpts:
		return Permanent(err)
	}
	return err
}

// envelope is a message's addresses, parsed before any connection so that
// one that cannot be sent fails at once and for good.
type envelope struct {
	from, to, replyTo *netmail.Address
}

func parseEnvelope(m Message) (envelope, error) {
	var env envelope
	var err error
	if m.Text == "" && m.HTML == "" {
		return env, errors.New("mail: message has no body")
	}
	if env.from, err = bareAddress("from", m.From); err != nil {
		return env, err
	}
	env.from.Name = foldable(m.FromName)
	if env.to, err = bareAddress("to", m.To); err != nil {
		return env, err
	}
	if m.ReplyTo != "" {
		if env.replyTo, err = bareAddress("reply-to", m.ReplyTo); err != nil {
			return env, err
		}
		env.replyTo.Name = foldable(m.ReplyToName)
	}
	return env, nil
}

// newMsg builds m with its parts in the transfer encoding enc.
func newMsg(m Message, env envelope, enc gomail.Encoding) *gomail.Msg {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithEncoding(enc))
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderFrom, env.from)
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderTo, env.to)
	if env.replyTo != nil {
		msg.SetAddrHeaderFromMailAddress(gomail.HeaderReplyTo, env.replyTo)
	}
	msg.Subject(literalSubject(m.Subject))
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(m.MessageID)
	} else {
		msg.SetMessageID()
	}
	msg.SetDate()
	for k, v := range m.Headers {
		msg.SetGenHeader(gomail.Header(k), v)
	}
	if m.Text == "" {
		msg.SetBodyWriter(gomail.TypeTextHTML, writeString(m.HTML))
		return msg
	}
	msg.SetBodyWriter(gomail.TypeTextPlain, writeString(m.Text))
	if m.HTML != "" {
		msg.AddAlternativeWriter(gomail.TypeTextHTML, writeString(m.HTML))
	}
	return msg
}

// maxHeaderWord is the longest run without a space that a header field's
// text keeps: go-mail folds a field only at its spaces, and a display name
// quoted with every character escaped is twice as long, so every line
// stays well within RFC 5322's 998 octets.
const maxHeaderWord = 400

// foldable returns s with a space put into each run of more than
// maxHeaderWord bytes without one, at a rune boundary, so that the header
// field that carries it can be folded. Text with no such run, any name a
// person gives, is returned as it is.
func foldable(s string) string {
	run := 0
	long := false
	for _, r := range s {
		if r == ' ' {
			run = 0
			continue
		}
		if run += utf8.RuneLen(r); run > maxHeaderWord {
			long = true
			break
		}
	}
	if !long {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/maxHeaderWord)
	run = 0
	for _, r := range s {
		n := utf8.RuneLen(r)
		switch {
		case r == ' ':
			run = 0
		case run+n > maxHeaderWord:
			b.WriteByte(' ')
			run = n
		default:
			run += n
		}
		b.WriteRune(r)
	}
	return b.String()
}

// writeString is a part's body that writes s, as often as the message is
// written (once to sign it, once to send it), without copying it first
// as go-mail's string bodies do.
func writeString(s string) func(io.Writer) (int64, error) {
	return func(w io.Writer) (int64, error) {
		n, err := io.WriteString(w, s)
		return int64(n), err
	}
}

// bareAddress parses a single address without display name.
func bareAddress(field, addr string) (*netmail.Address, error) {
	a, err := netmail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr {
		return nil, fmt.Errorf("mail: %s address %q is not a bare address", field, addr)
	}
	return a, nil
}
