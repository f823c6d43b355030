package smtptest

import (
	"io"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// session is one SMTP conversation with the Server.
type session struct {
	srv  *Server
	conn *smtp.Conn
	// down is closed when the run of the server that took conn stops.
	down   <-chan struct{}
	authed bool
	from   string
	body   smtp.BodyType
	to     []string
}

func (x *session) AuthMechanisms() []string {
	if x.srv.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	if x.srv.user == "" || mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.srv.user || pass != x.srv.pass {
			return smtp.ErrAuthFailed
		}
		x.authed = true
		return nil
	}), nil
}

func (x *session) Mail(from string, opts *smtp.MailOptions) error {
	if x.srv.user != "" && !x.authed {
		return smtp.ErrAuthRequired
	}
	x.from = from
	if opts != nil {
		x.body = opts.Body
	}
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch key := strings.ToLower(to); {
	case x.srv.rejected[key]:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}
	case x.srv.deferred[key]:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 2, 0}, Message: "Mailbox busy, try later"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	rec, err := parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Unparsable message: " + err.Error()}
	}
	if x.srv.release != nil {
		x.srv.holding(1)
		defer x.srv.holding(-1)
		select {
		case <-x.srv.release:
		case <-x.down:
			return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Server stopping"}
		}
	}
	_, rec.TLS = x.conn.TLSConnectionState()
	rec.Helo = x.conn.Hostname()
	rec.EnvelopeFrom = x.from
	rec.BodyType = string(x.body)
	rec.Recipients = append([]string(nil), x.to...)
	x.srv.add(rec)
	return nil
}

func (x *session) Reset() {
	x.from, x.body, x.to = "", "", nil
}

func (x *session) Logout() error {
	x.srv.sessionEnded()
	return nil
}
