package mail

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/storekeep/storekeep/internal/groupcommit"
)

// SMTPPool sends through several connections to one SMTP server, so that
// a burst of mail is not held to the round trips of a single session. Each
// connection is an SMTPSender of its own, opened at its first send and
// closed once idle. A send takes the connection used last of those free,
// so that a trickle of mail keeps to one connection and the rest close,
// while a burst opens as many as it keeps busy. Sends that come while
// every connection is busy gather into a group that the next free one
// carries, in one write where the server allows (SMTPSender.SendGroup). It
// is safe for concurrent use.
type SMTPPool struct {
	all []*SMTPSender
	// group runs at most one write a connection at once, so a write always
	// finds one free.
	group *groupcommit.Group[pooledSend, []error]

	mu   sync.Mutex
	free []*SMTPSender // the connection used last at the end
}

// pooledSend is the messages of one Send, or of one part of a SendGroup,
// and its context.
type pooledSend struct {
	ctx  context.Context
	msgs []Message
}

// NewSMTPPool returns a pool of up to conns connections (at least one) to
// the server at rawURL, which takes the URL and options of NewSMTPSender.
func NewSMTPPool(rawURL string, conns int, options ...SMTPOption) (*SMTPPool, error) {
	conns = max(conns, 1)
	p := &SMTPPool{}
	for range conns {
		s, err := NewSMTPSender(rawURL, options...)
		if err != nil {
			return nil, err
		}
		p.all = append(p.all, s)
	}
	p.free = append(p.free, p.all...)
	p.group = groupcommit.New(conns, p.writeGroup)
	return p, nil
}

// String returns the server URL with its password redacted.
func (p *SMTPPool) String() string {
	return fmt.Sprintf("%s (%d connections)", p.all[0], len(p.all))
}

// Send delivers m over a connection no other send is using, waiting for
// one when all are busy, as SMTPSender.Send does, together with the sends
// that waited with it.
func (p *SMTPPool) Send(ctx context.Context, m Message) error {
	return p.sendPart(ctx, []Message{m})[0]
}

// SendGroup delivers ms and returns each one's error, as Send would give
// it: the messages are split into as many parts as the pool has
// connections (each part at least maxGroup long but for the last), and
// the parts go out at once, each over a connection of its own or together
// with the sends waiting beside it. It waits on one goroutine a part, not
// one a message.
func (p *SMTPPool) SendGroup(ctx context.Context, ms []Message) []error {
	errs := make([]error, len(ms))
	size := max(maxGroup, (len(ms)+len(p.all)-1)/len(p.all))
	var wg sync.WaitGroup
	for start := 0; start < len(ms); start += size {
		end := min(start+size, len(ms))
		send := func() { copy(errs[start:end], p.sendPart(ctx, ms[start:end])) }
		if end == len(ms) {
			send()
			break
		}
		wg.Go(send)
	}
	wg.Wait()
	return errs
}

// sendPart sends ms as one item of p.group and returns each one's error.
func (p *SMTPPool) sendPart(ctx context.Context, ms []Message) []error {
	errs, err := p.group.Do(ctx, pooledSend{ctx: ctx, msgs: ms})
	if err != nil {
		errs = make([]error, len(ms))
		for i := range errs {
			errs[i] = err
		}
	}
	return errs
}

// writeGroup is the write of p.group: it sends items over a free
// connection and returns each one's error. The sends stop when every
// item's context has ended, or at the deadline of the one whose caller
// carries the group.
func (p *SMTPPool) writeGroup(ctx context.Context, items []pooledSend) ([][]error, error) {
	ctx, stop := untilAllEnd(ctx, items)
	defer stop()
	p.mu.Lock()
	s := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.free = append(p.free, s)
		p.mu.Unlock()
	}()
	var ms []Message
	for _, it := range items {
		ms = append(ms, it.msgs...)
	}
	errs := s.SendGroup(ctx, ms)
	out := make([][]error, len(items))
	for i, it := range items {
		out[i], errs = errs[:len(it.msgs):len(it.msgs)], errs[len(it.msgs):]
	}
	return out, nil
}

// untilAllEnd returns a context derived from parent that is also cancelled
// once the context of every item has ended.
func untilAllEnd(parent context.Context, items []pooledSend) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	var left atomic.Int64
	left.Store(int64(len(items)))
	stops := make([]func() bool, len(items))
	for i, it := range items {
		stops[i] = context.AfterFunc(it.ctx, func() {
			if left.Add(-1) == 0 {
				cancel(context.Cause(it.ctx))
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel(nil)
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
