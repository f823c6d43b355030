// Package expiring keeps values for a fixed time, so that a value read many
// times a second is fetched once per period: in a map of bounded size
// (Map), or one value read whole from its source (Snapshot).
package expiring

import (
	"sync"
	"time"
)

// Map holds values for ttl after they were put, at most max of them; once
// full it starts over empty. Its methods are safe for concurrent use.
type Map[K comparable, V any] struct {
	ttl     time.Duration
	max     int
	mu      sync.Mutex
	entries map[K]entry[V]
}

type entry[V any] struct {
	value   V
	expires time.Time
}

// New returns a Map that keeps each value for ttl and holds at most limit
// (at least one).
func New[K comparable, V any](ttl time.Duration, limit int) *Map[K, V] {
	return &Map[K, V]{ttl: ttl, max: max(1, limit), entries: make(map[K]entry[V])}
}

// Get returns the value put under key, unless it expired before now.
func (m *Map[K, V]) Get(key K, now time.Time) (V, bool) {
	m.mu.Lock()
	e, ok := m.entries[key]
	m.mu.Unlock()
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.value, true
}

// Put keeps v under key until ttl after now, emptying the map first when
// it is full.
func (m *Map[K, V]) Put(key K, v V, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[key]; !ok && len(m.entries) >= m.max {
		clear(m.entries)
	}
	m.entries[key] = entry[V]{value: v, expires: now.Add(m.ttl)}
}

// Len returns how many values the map holds, expired ones included.
func (m *Map[K, V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}
