package ratelimit

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/storekeep/storekeep"
)

// DefaultMaxKeys is the key cap of a Memory made with maxKeys <= 0.
const DefaultMaxKeys = 100_000

// SweepEvery is how often, by its clock, a Memory drops the keys whose
// allowance has fully refilled.
const SweepEvery = time.Minute

// FullLogEvery is how often, at most, a full Memory logs that it is
// refusing new keys; its Refused count tells the rest.
const FullLogEvery = time.Hour

// fullSweepEvery is how often, at most, a full Memory sweeps to make room
// for a new key: a sweep walks every key, so a flood of new keys must not
// start one each.
const fullSweepEvery = time.Second

// Memory is a storekeep.Limiter local to the process: a token bucket per key
// holding Count tokens and refilling Count per Per. It is safe for
// concurrent use.
//
// Memory never forgets a key's events while they still count. It drops a
// key only once its bucket is full again, which changes no answer: every
// SweepEvery, and when it is full and a new key arrives. A new key that
// finds it holding its cap of keys even so is refused (Allow answers false,
// Exhausted true): a full limiter fails closed, so a flood of keys can
// throttle newcomers but cannot flush anyone's allowance.
type Memory struct {
	now       storekeep.Clock
	maxKeys   int
	log       *slog.Logger
	mu        sync.Mutex
	keys      map[string]*bucket
	lastSweep time.Time
	lastWarn  time.Time
	refused   atomic.Int64
	// open lets an event under a new key through, uncounted, when full.
	open bool
}

type bucket struct {
	limit storekeep.Limit
	lim   *rate.Limiter
}

// NewMemory returns a Memory reading time from clock (time.Now when nil),
// holding at most maxKeys keys (DefaultMaxKeys when maxKeys <= 0) and
// warning on log (slog.Default() when nil), at most once per FullLogEvery,
// when it refuses a new key because it is full.
func NewMemory(clock storekeep.Clock, maxKeys int, log *slog.Logger) *Memory {
	if clock == nil {
		clock = time.Now
	}
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	if log == nil {
		log = slog.Default()
	}
	return &Memory{now: clock, maxKeys: maxKeys, log: log, keys: make(map[string]*bucket)}
}

// NewOpenMemory returns a Memory as NewMemory does, but one that fails
// open: full, it lets an event under a new key through without holding
// the key (Allow answers true, Exhausted false), where NewMemory's
// refuses it. It suits a limit whose refusal of every newcomer would
// harm more than a flood of keys gets past it: the keys it holds are
// still counted, and Refused counts the events let through.
func NewOpenMemory(clock storekeep.Clock, maxKeys int, log *slog.Logger) *Memory {
	m := NewMemory(clock, maxKeys, log)
	m.open = true
	return m
}

// Allow implements storekeep.Limiter.
func (m *Memory) Allow(_ context.Context, key string, limit storekeep.Limit) (bool, error) {
	if err := check(limit); err != nil {
		return false, err
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Sub(m.lastSweep) >= SweepEvery {
		m.sweep(now)
	}
	b, ok := m.keys[key]
	if !ok {
		if !m.room(now) {
			return m.open, nil
		}
		b = &bucket{limit: limit, lim: rate.NewLimiter(rate.Limit(perSecond(limit)), limit.Count)}
		m.keys[key] = b
	}
	if b.limit != limit {
		b.lim.SetLimitAt(now, rate.Limit(perSecond(limit)))
		b.lim.SetBurstAt(now, limit.Count)
		b.limit = limit
	}
	return b.lim.AllowN(now, 1), nil
}

// Exhausted implements storekeep.Limiter. It agrees with Allow to the
// nanosecond: x/time/rate allows an event whose wait rounds down to zero.
// A key it does not hold is exhausted only when the Memory is full, since
// Allow would then refuse it.
func (m *Memory) Exhausted(_ context.Context, key string, limit storekeep.Limit) (bool, error) {
	return m.exhausted(key, limit, true)
}

// Spent implements storekeep.Limiter.
func (m *Memory) Spent(_ context.Context, key string, limit storekeep.Limit) (bool, error) {
	return m.exhausted(key, limit, false)
}

// exhausted reports whether the next event under key would be refused;
// for a key not held, that is whether the Memory is full when full counts,
// and false otherwise.
func (m *Memory) exhausted(key string, limit storekeep.Limit, full bool) (bool, error) {
	if err := check(limit); err != nil {
		return false, err
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.keys[key]
	if !ok {
		return full && !m.open && !m.room(now), nil
	}
	tokens := b.lim.TokensAt(now)
	if b.limit != limit {
		tokens = min(tokens, float64(limit.Count))
	}
	wait := time.Duration((1 - tokens) / perSecond(limit) * float64(time.Second))
	return wait > 0, nil
}

// Len returns the number of keys held.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}

// Holds reports whether the Memory holds a counter for key.
func (m *Memory) Holds(key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.keys[key]
	return ok
}

// Refused returns how many times a new key was refused, or let through
// uncounted by an open Memory, because the Memory was full.
func (m *Memory) Refused() int64 { return m.refused.Load() }

// room reports whether a new key fits, sweeping first when the Memory is
// full and has not swept for fullSweepEvery. It counts a refusal.
func (m *Memory) room(now time.Time) bool {
	if len(m.keys) >= m.maxKeys && now.Sub(m.lastSweep) >= fullSweepEvery {
		m.sweep(now)
	}
	if len(m.keys) < m.maxKeys {
		return true
	}
	refused := m.refused.Add(1)
	if m.lastWarn.IsZero() || now.Sub(m.lastWarn) >= FullLogEvery {
		m.lastWarn = now
		if m.open {
			m.log.Warn("rate limiter: full; letting new keys through uncounted until old ones refill", "max_keys", m.maxKeys, "let_through_total", refused)
		} else {
			m.log.Warn("rate limiter: full; throttling new keys until old ones refill", "max_keys", m.maxKeys, "refused_total", refused)
		}
	}
	return false
}

func (m *Memory) sweep(now time.Time) {
	m.lastSweep = now
	for key, b := range m.keys {
		if b.lim.TokensAt(now) >= float64(b.limit.Count) {
			delete(m.keys, key)
		}
	}
}

func perSecond(l storekeep.Limit) float64 {
	return float64(l.Count) / l.Per.Seconds()
}
