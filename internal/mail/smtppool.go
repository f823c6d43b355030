package mail

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// SMTPPool sends through several connections to one SMTP server, so that
// a burst of mail is not held to the round trips of a single session. Each
// connection is an SMTPSender of its own, opened at its first send and
// closed once idle. A send takes the connection used last of those free,
// so that a trickle of mail keeps to one connection and the rest close,
// while a burst opens as many as it keeps busy. It is safe for concurrent
// use.
type SMTPPool struct {
	all []*SMTPSender
	// slots holds a token for each free connection.
	slots chan struct{}

	mu   sync.Mutex
	free []*SMTPSender // the connection used last at the end
}

// NewSMTPPool returns a pool of up to conns connections (at least one) to
// the server at rawURL, which takes the URL and options of NewSMTPSender.
func NewSMTPPool(rawURL string, conns int, options ...SMTPOption) (*SMTPPool, error) {
	conns = max(conns, 1)
	p := &SMTPPool{slots: make(chan struct{}, conns)}
	for range conns {
		s, err := NewSMTPSender(rawURL, options...)
		if err != nil {
			return nil, err
		}
		p.all = append(p.all, s)
		p.slots <- struct{}{}
	}
	p.free = append(p.free, p.all...)
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
	case <-p.slots:
	case <-ctx.Done():
		return ctx.Err()
	}
	p.mu.Lock()
	s := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.free = append(p.free, s)
		p.mu.Unlock()
		p.slots <- struct{}{}
	}()
	return s.Send(ctx, m)
}

// Close ends every open connection. The pool stays usable.
func (p *SMTPPool) Close() error {
	var errs []error
	for _, s := range p.all {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
