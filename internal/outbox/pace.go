package outbox

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/storekeep/storekeep"
)

// DueReader tells how long the oldest unclaimed due work has waited;
// storekeep.OutboxStore's OldestDue.
type DueReader interface {
	OldestDue(ctx context.Context, now time.Time) (time.Time, error)
}

// PaceConfig tunes a Pace. Zero values take the defaults named below.
type PaceConfig struct {
	// Behind is how long the oldest due, unclaimed mail or job may have
	// waited before new work is held back; 250ms. Work is let through
	// again once it has waited no more than half of it.
	Behind time.Duration
	// Poll is how often the outbox is read; 100ms.
	Poll time.Duration
	// HoldPoll is how often it is read while callers are held back;
	// Poll/5 (20ms), so that they are let through soon after delivery
	// catches up rather than leaving the worker idle until the next Poll.
	HoldPoll time.Duration
	// MaxHold is the longest one caller is held; 2s. Past it the caller
	// goes on, so that a stuck outbox slows answers but never stops them.
	MaxHold time.Duration
	// Kick, when not nil, wakes the worker. Work found late is first
	// pointed out to the worker with it, and only work still late at the
	// next read holds callers back: a retry that fell due between two of
	// an idle worker's polls is late without delivery being behind.
	Kick func()
	// Now is the clock; time.Now when nil.
	Now storekeep.Clock
	// Logger receives a line when delivery falls behind, at most once
	// every paceLogEvery (with the callers held since the last one), and
	// at debug level each time it catches up; slog.Default when nil.
	Logger *slog.Logger
}

func (c PaceConfig) withDefaults() PaceConfig {
	if c.Behind <= 0 {
		c.Behind = 250 * time.Millisecond
	}
	if c.Poll <= 0 {
		c.Poll = 100 * time.Millisecond
	}
	if c.HoldPoll <= 0 {
		c.HoldPoll = max(c.Poll/5, time.Millisecond)
	}
	if c.MaxHold <= 0 {
		c.MaxHold = 2 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Pace is flow control from the outbox to the answers that fill it: while
// the oldest due mail or job that no worker holds has waited longer than
// Behind, Wait holds its callers until delivery catches up (or MaxHold
// passes), so that under a flood answers slow to what the node delivers
// rather than running ahead of it and leaving a backlog of mail seconds
// or minutes late. The outbox is shared, so on PostgreSQL every node holds
// back for the backlog of all. Retries waiting for their backoff and
// paced invitations are not due, and mail leased to a worker is not
// waiting for one: neither holds anything back, so an SMTP outage does
// not stall the answers.
type Pace struct {
	due     DueReader
	cfg     PaceConfig
	behind  atomic.Bool
	held    atomic.Int64
	mu      sync.Mutex
	caught  chan struct{}
	logged  time.Time
	heldLog int64
}

// paceLogEvery spaces the lines a Pace logs when delivery falls behind:
// under a flood it falls behind and catches up several times a second.
const paceLogEvery = time.Minute

// NewPace returns a Pace over due, letting everything through until Run
// finds delivery behind.
func NewPace(due DueReader, cfg PaceConfig) *Pace {
	return &Pace{due: due, cfg: cfg.withDefaults()}
}

// Held counts the callers Wait held back.
func (p *Pace) Held() int64 { return p.held.Load() }

// Behind reports whether Wait holds callers back now.
func (p *Pace) Behind() bool { return p.behind.Load() }

// Run reads the outbox at once, then every Poll (HoldPoll while holding
// callers back), until ctx is done. A failed read counts as caught up: a
// database that cannot answer fails the writes anyway.
func (p *Pace) Run(ctx context.Context) error {
	late := p.read(ctx, false)
	t := time.NewTimer(p.interval())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			p.set(false, 0)
			return ctx.Err()
		case <-t.C:
		}
		late = p.read(ctx, late)
		t.Reset(p.interval())
	}
}

// interval is how long Run waits for its next read.
func (p *Pace) interval() time.Duration {
	if p.behind.Load() {
		return p.cfg.HoldPoll
	}
	return p.cfg.Poll
}

// read looks at the outbox once and holds or releases callers; late says
// whether the last read found work late, and it returns whether this one
// did.
func (p *Pace) read(ctx context.Context, late bool) bool {
	now := p.cfg.Now()
	oldest, err := p.due.OldestDue(ctx, now)
	if err != nil || oldest.IsZero() {
		p.set(false, 0)
		return false
	}
	wait := now.Sub(oldest)
	switch {
	case wait > p.cfg.Behind && (late || p.cfg.Kick == nil):
		p.set(true, wait)
		return true
	case wait > p.cfg.Behind:
		p.cfg.Kick()
		return true
	default:
		if wait <= p.cfg.Behind/2 {
			p.set(false, wait)
		}
		return false
	}
}

func (p *Pace) set(behind bool, wait time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.behind.Load() == behind {
		return
	}
	if behind {
		p.caught = make(chan struct{})
		if now := time.Now(); now.Sub(p.logged) >= paceLogEvery {
			held := p.held.Load()
			p.cfg.Logger.Info("outbox: delivery behind, holding new recovers back", "oldest_due_wait", wait.Round(time.Millisecond),
				"held_since_last_line", held-p.heldLog)
			p.logged, p.heldLog = now, held
		}
	} else {
		close(p.caught)
		p.cfg.Logger.Debug("outbox: delivery caught up", "oldest_due_wait", wait.Round(time.Millisecond))
	}
	p.behind.Store(behind)
}

// Wait returns at once unless delivery is behind; then it returns when
// delivery catches up, after MaxHold, or with ctx's error when ctx ends
// first.
func (p *Pace) Wait(ctx context.Context) error {
	if !p.behind.Load() {
		return nil
	}
	p.mu.Lock()
	caught, behind := p.caught, p.behind.Load()
	p.mu.Unlock()
	if !behind {
		return nil
	}
	p.held.Add(1)
	hold := time.NewTimer(p.cfg.MaxHold)
	defer hold.Stop()
	select {
	case <-caught:
	case <-hold.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}
