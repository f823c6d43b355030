package expiring

import (
	"context"
	"sync"
	"time"
)

// Snapshot is a value read from its source at most once every period:
// its readers share the last read until it is that old, or until the
// clock steps back behind it. A value it hands out is never changed in
// place; Replace swaps in another. Its methods are safe for concurrent
// use.
type Snapshot[T any] struct {
	every  time.Duration
	mu     sync.Mutex
	value  T
	readAt time.Time
	held   bool
}

// NewSnapshot returns a Snapshot read again at most every period.
func NewSnapshot[T any](every time.Duration) *Snapshot[T] {
	return &Snapshot[T]{every: every}
}

// Read returns the value, reading it through read first when none is
// held or the one held is stale at now. Reads are made one at a time; a
// failed one keeps what was held and returns its error.
func (s *Snapshot[T]) Read(ctx context.Context, now time.Time, read func(context.Context) (T, error)) (T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held && now.Sub(s.readAt) < s.every && !now.Before(s.readAt) {
		return s.value, nil
	}
	v, err := read(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	s.value, s.readAt, s.held = v, now, true
	return v, nil
}

// Replace swaps the value held for change(value), keeping when it was
// read; nothing when none is held.
func (s *Snapshot[T]) Replace(change func(T) T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held {
		s.value = change(s.value)
	}
}
