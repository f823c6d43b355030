package mail

import (
	"context"
	"errors"
	"fmt"
)

// SMTPPool sends through several connections to one SMTP server, so that
// a burst of mail is not held to the round trips of a single session. Each
// connection is an SMTPSender of its own, opened at its first send and
// closed once idle. It is safe for concurrent use.
type SMTPPool struct {
	all  []*SMTPSender
	free chan *SMTPSender
}

// NewSMTPPool returns a pool of up to conns connections (at least one) to
// the server at rawURL, which takes the URL and options of NewSMTPSender.
func NewSMTPPool(rawURL string, conns int, options ...SMTPOption) (*SMTPPool, error) {
	conns = max(conns, 1)
	p := &SMTPPool{free: make(chan *SMTPSender, conns)}
	for range conns {
		s, err := NewSMTPSender(rawURL, options...)
		if err != nil {
			return nil, err
		}
		p.all = append(p.all, s)
		p.free <- s
	}
	return p, nil
}

// String returns the server URL with its password redacted.
func (p *SMTPPool) String() string {
	return fmt.Sprintf("%s (%d connections)", p.all[0], len(p.all))
}

// Send delivers m over a connection no other send is using, waiting for
// one when all are busy, as SMTPSender.Send does.
func (p *SMTPPool) Send(ctx context.Context, m Message) error {
	select {
	case s := <-p.free:
		defer func() { p.free <- s }()
		return s.Send(ctx, m)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close ends every open connection. The pool stays usable.
func (p *SMTPPool) Close() error {
	var errs []error
	for _, s := range p.all {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
