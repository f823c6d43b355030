package outbox

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunnerReusesItsGoroutines(t *testing.T) {
	r := newRunner(time.Hour)
	defer r.Close()
	var ran atomic.Int64
	for range 100 {
		r.Go(func() { ran.Add(1) })
		r.Wait()
		waitFree(t, r, 1)
	}
	if ran.Load() != 100 || r.started.Load() != 1 {
		t.Fatalf("100 tasks one after another: %d ran on %d goroutines, want 100 on 1", ran.Load(), r.started.Load())
	}

	for round := range 3 {
		release := make(chan struct{})
		var running sync.WaitGroup
		running.Add(8)
		for range 8 {
			r.Go(func() {
				running.Done()
				<-release
			})
		}
		running.Wait()
		close(release)
		r.Wait()
		if n := r.started.Load(); n != 8 {
			t.Fatalf("round %d of 8 tasks at once: %d goroutines started in all, want 8", round, n)
		}
		waitFree(t, r, 8)
	}
}

// waitFree waits until n of r's goroutines wait for work, so that the
// next tasks find them.
func waitFree(t *testing.T, r *runner, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for r.waiting.Load() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d goroutines wait for work", r.waiting.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestRunnerGoroutinesEndWhenIdleAndOnClose(t *testing.T) {
	r := newRunner(time.Millisecond)
	r.Go(func() {})
	r.Wait()
	r.loops.Wait()
	r.Go(func() {})
	r.Wait()
	if n := r.started.Load(); n != 2 {
		t.Fatalf("a task after the first goroutine went idle started %d goroutines in all, want 2", n)
	}

	r = newRunner(time.Hour)
	release := make(chan struct{})
	var finished atomic.Bool
	r.Go(func() {
		<-release
		finished.Store(true)
	})
	closed := make(chan struct{})
	go func() {
		r.Close()
		close(closed)
	}()
	select {
	case <-closed:
		t.Fatal("Close returned while a task ran")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	<-closed
	if !finished.Load() {
		t.Fatal("Close returned before the task finished")
	}
}
