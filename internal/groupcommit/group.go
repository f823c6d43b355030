// Package groupcommit writes together what concurrent callers submit while
// a write is under way: each caller waits for the one write that carries
// its item, so that a burst of N callers costs a few transactions rather
// than N. Leadership passes from group to group: a caller who finds fewer
// writes under way than the Group allows writes its item alone at once;
// callers who arrive while the writes are all taken gather into the next
// group, and when a write ends one of them is handed that group and writes
// it, so that no caller writes for others for longer than its own group's
// write.
package groupcommit

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Write stores items in one transaction and returns one result per item,
// in their order, or an error that fails the whole group.
type Write[T, R any] func(ctx context.Context, items []T) ([]R, error)

// Group gathers the items submitted while a write is under way into the
// next write. Its zero value is not usable; make one with New. Its methods
// are safe for concurrent use.
type Group[T, R any] struct {
	write   Write[T, R]
	writers int
	mu      sync.Mutex
	writing int
	next    *group[T, R]
}

// New returns a Group that writes with write, at most writers writes at
// once (at least 1).
func New[T, R any](writers int, write Write[T, R]) *Group[T, R] {
	return &Group[T, R]{write: write, writers: max(1, writers)}
}

// group is the items one write stores.
type group[T, R any] struct {
	members []*member[T, R]
	// lead holds the token that makes a member the group's writer; done
	// closes once the group is written.
	lead chan struct{}
	done chan struct{}
}

type member[T, R any] struct {
	item T
	res  R
	err  error
	// deadline is the caller's, if bounded says it has one.
	deadline time.Time
	bounded  bool
}

// Do writes item, together with the items other callers submit meanwhile,
// and returns its own result or error. It returns once the write that
// carries item has committed, or with ctx's error when ctx ends first: an
// item whose group had not yet been handed to a writer is then left out;
// one whose group is being written may be stored all the same.
//
// The write runs under the latest of its members' deadlines, or none when
// a member has none, and not under any caller's cancellation, so that the
// caller that writes a group cannot fail the others by leaving or by
// running out of its own time. When a
// group of several items fails, other than by running out of time, each of
// its items is written again alone, so that one bad item fails only its
// own caller.
func (g *Group[T, R]) Do(ctx context.Context, item T) (R, error) {
	m := &member[T, R]{item: item}
	m.deadline, m.bounded = ctx.Deadline()
	g.mu.Lock()
	if g.writing < g.writers {
		g.writing++
		g.mu.Unlock()
		// Alone in its group, the caller's deadline is the group's: it
		// writes in its own goroutine, and the group stays on its stack.
		g.run(ctx, &group[T, R]{members: []*member[T, R]{m}})
		return m.res, m.err
	}
	if g.next == nil {
		g.next = &group[T, R]{lead: make(chan struct{}, 1), done: make(chan struct{})}
	}
	b := g.next
	b.members = append(b.members, m)
	g.mu.Unlock()
	select {
	case <-b.done:
		return m.res, m.err
	case <-b.lead:
		return g.lead(ctx, b, m)
	case <-ctx.Done():
	}
	g.mu.Lock()
	if g.next == b {
		b.members = slices.DeleteFunc(b.members, func(x *member[T, R]) bool { return x == m })
		if len(b.members) == 0 {
			g.next = nil
		}
		g.mu.Unlock()
		var zero R
		return zero, ctx.Err()
	}
	g.mu.Unlock()
	// The group was handed over: its token is still in lead unless another
	// member took it to write.
	select {
	case <-b.lead:
		return g.lead(ctx, b, m)
	default:
		var zero R
		return zero, ctx.Err()
	}
}

// Waiting returns how many items have gathered for the next write.
func (g *Group[T, R]) Waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.next == nil {
		return 0
	}
	return len(g.next.members)
}

// lead writes b, which m's caller was handed, and returns m's result.
// When that caller's deadline comes before the group's (another member has
// a later one, or none), the write goes on in a goroutine of its own, so
// that the caller leaves at its deadline and the others still get theirs.
func (g *Group[T, R]) lead(ctx context.Context, b *group[T, R], m *member[T, R]) (R, error) {
	if latest, ok := latestDeadline(b.members); !m.bounded || (ok && !latest.After(m.deadline)) {
		g.run(ctx, b)
		return m.res, m.err
	}
	go g.run(ctx, b)
	select {
	case <-b.done:
		return m.res, m.err
	case <-ctx.Done():
		var zero R
		return zero, ctx.Err()
	}
}

// run writes b, hands the group gathered meanwhile to one of its members,
// or ends the run of writes when none gathered, and wakes b's members.
func (g *Group[T, R]) run(ctx context.Context, b *group[T, R]) {
	g.store(ctx, b.members)
	g.mu.Lock()
	if next := g.next; next != nil {
		g.next = nil
		next.lead <- struct{}{}
	} else {
		g.writing--
	}
	g.mu.Unlock()
	if b.done != nil {
		close(b.done)
	}
}

// store writes members' items in one write, or each alone when that
// fails, and sets each member's result or error.
func (g *Group[T, R]) store(ctx context.Context, members []*member[T, R]) {
	writeCtx := context.WithoutCancel(ctx)
	if deadline, ok := latestDeadline(members); ok {
		var cancel context.CancelFunc
		writeCtx, cancel = context.WithDeadline(writeCtx, deadline)
		defer cancel()
	}
	items := make([]T, len(members))
	for i, m := range members {
		items[i] = m.item
	}
	res, err := g.write(writeCtx, items)
	if err == nil && len(res) != len(items) {
		err = fmt.Errorf("groupcommit: %d results for %d items", len(res), len(items))
	}
	if err == nil {
		for i, m := range members {
			m.res = res[i]
		}
		return
	}
	if len(members) == 1 || writeCtx.Err() != nil {
		for _, m := range members {
			m.err = err
		}
		return
	}
	for i, m := range members {
		res, err := g.write(writeCtx, items[i:i+1])
		if err == nil && len(res) != 1 {
			err = fmt.Errorf("groupcommit: %d results for 1 item", len(res))
		}
		if err != nil {
			m.err = err
			continue
		}
		m.res = res[0]
	}
}

// latestDeadline returns the latest of members' deadlines, or false when a
// member has none.
func latestDeadline[T, R any](members []*member[T, R]) (time.Time, bool) {
	var latest time.Time
	for _, m := range members {
		if !m.bounded {
			return time.Time{}, false
		}
		if m.deadline.After(latest) {
			latest = m.deadline
		}
	}
	return latest, true
}
