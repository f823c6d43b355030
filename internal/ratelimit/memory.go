package ratelimit

import (
	"container/list"
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/storekeep/storekeep"
)

// DefaultMaxKeys is the key cap of a Memory made with maxKeys <= 0.
const DefaultMaxKeys = 100_000

// SweepEvery is how often, by its clock, a Memory drops the keys whose
// allowance has fully refilled.
const SweepEvery = time.Minute

// Memory is a storekeep.Limiter local to the process: a token bucket per key
// holding Count tokens and refilling Count per Per. It is safe for
// concurrent use.
//
// Memory stays bounded two ways. Every SweepEvery it drops keys whose
// bucket is full again, which changes no answer. And it never holds more
// than its key cap: a new key past the cap evicts the least recently used
// one, which forgets that key's events.
type Memory struct {
	now       storekeep.Clock
	maxKeys   int
	mu        sync.Mutex
	keys      map[string]*list.Element
	lru       list.List
	lastSweep time.Time
}

type bucket struct {
	key   string
	limit storekeep.Limit
	lim   *rate.Limiter
}

// NewMemory returns a Memory reading time from clock (time.Now when nil)
// and holding at most maxKeys keys (DefaultMaxKeys when maxKeys <= 0).
func NewMemory(clock storekeep.Clock, maxKeys int) *Memory {
	if clock == nil {
		clock = time.Now
	}
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	return &Memory{now: clock, maxKeys: maxKeys, keys: make(map[string]*list.Element)}
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
	b := m.bucket(key, limit, now)
	return b.lim.AllowN(now, 1), nil
}

// Exhausted implements storekeep.Limiter. It agrees with Allow to the
// nanosecond: x/time/rate allows an event whose wait rounds down to zero.
func (m *Memory) Exhausted(_ context.Context, key string, limit storekeep.Limit) (bool, error) {
	if err := check(limit); err != nil {
		return false, err
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.keys[key]
	if !ok {
		return false, nil
	}
	b := e.Value.(*bucket)
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

func (m *Memory) bucket(key string, limit storekeep.Limit, now time.Time) *bucket {
	if e, ok := m.keys[key]; ok {
		m.lru.MoveToFront(e)
		b := e.Value.(*bucket)
		if b.limit != limit {
			b.lim.SetLimitAt(now, rate.Limit(perSecond(limit)))
			b.lim.SetBurstAt(now, limit.Count)
			b.limit = limit
		}
		return b
	}
	for len(m.keys) >= m.maxKeys {
		m.remove(m.lru.Back())
	}
	b := &bucket{key: key, limit: limit, lim: rate.NewLimiter(rate.Limit(perSecond(limit)), limit.Count)}
	m.keys[key] = m.lru.PushFront(b)
	return b
}

func (m *Memory) sweep(now time.Time) {
	m.lastSweep = now
	for e := m.lru.Back(); e != nil; {
		prev := e.Prev()
		if b := e.Value.(*bucket); b.lim.TokensAt(now) >= float64(b.limit.Count) {
			m.remove(e)
		}
		e = prev
	}
}

func (m *Memory) remove(e *list.Element) {
	delete(m.keys, e.Value.(*bucket).key)
	m.lru.Remove(e)
}

func perSecond(l storekeep.Limit) float64 {
	return float64(l.Count) / l.Per.Seconds()
}
