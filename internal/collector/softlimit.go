// Package collector keeps a serving node's Go memory near a bound while
// what the node holds live allows it, without ever making the garbage
// collector run back to back: at most about twice as often as at Go's
// default pace.
package collector

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// SoftLimit holds Go's soft memory limit (debug.SetMemoryLimit) at the
// larger of a floor and what the live heap needs at GOGC 50: the live heap
// and half as much again for new allocations, a sixteenth of that more for
// the runtime's own headroom, and the runtime's memory outside the heap
// (stacks, metadata, the unused parts of its spans). It sets the limit
// again after every collection, to the largest it has been over the last
// HoldFor: memory the node needed a moment ago (a sign-in's hash) is kept
// for its next need rather than given back to the OS and faulted in again.
//
// While the live heap is small the floor binds: the collector starts
// sooner than GOGC alone would start it and the runtime returns freed
// pages to the OS, so the node's peak is lower. A live heap that outgrows
// the floor (a full rate limiter, hashes running) raises the limit with
// it, so the collector runs at most about twice as often as at Go's
// default GOGC 100, never back to back as it does under a fixed limit
// that the live heap has passed.
type SoftLimit struct {
	floor   int64
	mu      sync.Mutex
	stopped bool
	prev    int64
	held    int64
	heldAt  time.Time
	samples []metrics.Sample
}

// HoldFor is how long SoftLimit keeps a limit before a lower one replaces it.
const HoldFor = 10 * time.Second

// sentinel is allocated unreachable so that its cleanup runs after the
// next collection; it is larger than the runtime's tiny objects, whose
// cleanups may never run.
type sentinel [32]byte

// Start sets the soft limit as SoftLimit says, with floor bytes as its
// floor, and keeps it so until Stop.
func Start(floor int64) *SoftLimit {
	s := &SoftLimit{floor: floor, samples: []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prev = debug.SetMemoryLimit(s.limit())
	s.arm()
	return s
}

// Stop gives the runtime back the limit it had before Start.
func (s *SoftLimit) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopped {
		s.stopped = true
		debug.SetMemoryLimit(s.prev)
	}
}

func (s *SoftLimit) arm() {
	runtime.AddCleanup(new(sentinel), (*SoftLimit).collected, s)
}

func (s *SoftLimit) collected() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	debug.SetMemoryLimit(s.limit())
	s.arm()
}

// hold returns the limit in force at now when limit is what the runtime's
// memory asks for: the largest limit asked for over the last HoldFor.
func (s *SoftLimit) hold(now time.Time, limit int64) int64 {
	if limit >= s.held || now.Sub(s.heldAt) >= HoldFor || now.Before(s.heldAt) {
		s.held, s.heldAt = limit, now
	}
	return s.held
}

// limit reads the runtime's memory and returns the limit in force after it.
func (s *SoftLimit) limit() int64 {
	metrics.Read(s.samples)
	v := func(i int) uint64 { return s.samples[i].Value.Uint64() }
	live, total, released, free, objects := v(0), v(1), v(2), v(3), v(4)
	return s.hold(time.Now(), Limit(s.floor, live, total-released-free-objects))
}

// Limit returns the soft limit for a floor, a live heap and the runtime's
// memory outside the heap, all in bytes: the floor, or what the live heap
// needs at GOGC 50 when that is more.
func Limit(floor int64, live, outside uint64) int64 {
	need := live + live/2 + live/16 + outside
	return max(floor, int64(min(need, 1<<62)))
}
