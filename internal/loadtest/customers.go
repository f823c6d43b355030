package loadtest

import (
	"context"
	"sync/atomic"
	"time"
)

// pool holds the seeded customers' emails. next hands them out round
// robin, so every address is used as rarely as the run allows; acquire
// also reserves one, so no two workers reset the same customer at once.
type pool struct {
	emails []string
	busy   []atomic.Bool
	cursor atomic.Uint64
}

func newPool(emails []string) *pool {
	return &pool{emails: emails, busy: make([]atomic.Bool, len(emails))}
}

func (p *pool) turn() int { return int((p.cursor.Add(1) - 1) % uint64(len(p.emails))) }

// next returns the next email in turn.
func (p *pool) next() string { return p.emails[p.turn()] }

// acquire reserves the next free customer; false once ctx ends.
func (p *pool) acquire(ctx context.Context) (int, bool) {
	for {
		for range len(p.emails) {
			if i := p.turn(); p.busy[i].CompareAndSwap(false, true) {
				return i, true
			}
		}
		select {
		case <-ctx.Done():
			return 0, false
		case <-time.After(time.Millisecond):
		}
	}
}

func (p *pool) release(i int) { p.busy[i].Store(false) }
