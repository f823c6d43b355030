package groupcommit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// A caller whose deadline is near cannot fail the others of its group by
// being handed it to write: a caller with time to spare, or no deadline at
// all, gets its own result, not the writer's timeout. In the SMTP pool a
// send that waited most of its attempt for a busy connection would
// otherwise cut off the sends gathered behind it, and each would count a
// failed attempt.
func TestAWriterWhoseDeadlinePassesDoesNotFailTheOthers(t *testing.T) {
	g, release := busyGroup(func(ctx context.Context) error {
		select {
		case <-time.After(300 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	near, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	var nearErr, otherErr error
	var other int
	var wg sync.WaitGroup
	wg.Go(func() { _, nearErr = g.Do(near, 2) })
	g.waitFor(1)
	wg.Go(func() { other, otherErr = g.Do(context.Background(), 3) })
	g.waitFor(2)
	close(release)
	wg.Wait()
	if otherErr != nil || other != 30 {
		t.Fatalf("a caller without a deadline got %d, %v (the caller that wrote its group: %v); want 30", other, otherErr, nearErr)
	}
}

// Do returns by its caller's deadline even when that caller was handed the
// group to write and another member of the group has no deadline: the
// write goes on for the others, but the caller is not held past its own
// time. Which waiting member is handed the group is not fixed, so the
// test runs a few rounds.
func TestAWriterIsNotHeldPastItsOwnDeadline(t *testing.T) {
	for round := range 10 {
		finish := make(chan struct{})
		g, release := busyGroup(func(context.Context) error {
			<-finish
			return nil
		})
		near, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		var nearErr, otherErr error
		var other int
		var wg sync.WaitGroup
		nearDone := make(chan struct{})
		wg.Go(func() {
			defer close(nearDone)
			_, nearErr = g.Do(near, 2)
		})
		g.waitFor(1)
		wg.Go(func() { other, otherErr = g.Do(context.Background(), 3) })
		g.waitFor(2)
		close(release)
		select {
		case <-nearDone:
		case <-time.After(10 * time.Second):
			close(finish)
			t.Fatalf("round %d: a caller with a 100 ms deadline has not returned after 10 s", round)
		}
		if !errors.Is(nearErr, context.DeadlineExceeded) {
			t.Errorf("round %d: the caller whose deadline passed while its group was written got %v, want its deadline", round, nearErr)
		}
		close(finish)
		wg.Wait()
		cancel()
		if otherErr != nil || other != 30 {
			t.Errorf("round %d: the caller without a deadline got %d, %v; want 30", round, other, otherErr)
		}
	}
}

// busyGroup is a Group whose first write, which busyGroup starts, holds
// the writer until release is closed; every later write waits for next
// (or its context) and stores each item times ten.
func busyGroup(next func(ctx context.Context) error) (g *Group[int, int], release chan struct{}) {
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	g = New(1, func(ctx context.Context, items []int) ([]int, error) {
		first := false
		once.Do(func() { first = true })
		if first {
			close(started)
			<-release
		} else if err := next(ctx); err != nil {
			return nil, err
		}
		out := make([]int, len(items))
		for i, it := range items {
			out[i] = it * 10
		}
		return out, nil
	})
	go g.Do(context.Background(), 1)
	<-started
	return g, release
}
