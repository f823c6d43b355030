package outbox

import (
	"sync"
	"sync/atomic"
	"time"
)

// runnerIdle is how long a runner's goroutine waits for its next task
// before it ends.
const runnerIdle = 10 * time.Second

// runner runs the worker's sends and batches on goroutines that outlive
// one task: a task goes to a goroutine waiting for work when there is one,
// else to a new one, which then waits for the next task until runnerIdle
// passes without one. A burst thus starts as many goroutines as it has
// tasks running at once (a send for each place of the worker's batch, and
// the job batches), and the load after it reuses them instead of starting
// one a mail.
type runner struct {
	tasks chan func()
	stop  chan struct{}
	idle  time.Duration
	// pending counts tasks handed in and not yet done; loops counts the
	// goroutines.
	pending, loops sync.WaitGroup
	// started counts the goroutines started, waiting those waiting for a
	// task and not yet claimed by Go; the tests read started.
	started, waiting atomic.Int64
}

func newRunner(idle time.Duration) *runner {
	return &runner{tasks: make(chan func()), stop: make(chan struct{}), idle: idle}
}

// Go runs f on one of the runner's goroutines. It claims a goroutine
// that waits for work, which then takes f whichever of the waiting ones
// receives it, or starts one when none waits.
func (r *runner) Go(f func()) {
	r.pending.Add(1)
	task := func() {
		defer r.pending.Done()
		f()
	}
	if r.claim() {
		r.tasks <- task
		return
	}
	r.started.Add(1)
	r.loops.Go(func() {
		task()
		r.loop()
	})
}

// claim takes one of the waiting goroutines, if any.
func (r *runner) claim() bool {
	for {
		w := r.waiting.Load()
		if w == 0 {
			return false
		}
		if r.waiting.CompareAndSwap(w, w-1) {
			return true
		}
	}
}

// loop runs tasks handed to it until the runner closes or none comes
// for r.idle. A goroutine that would end while every waiting one is
// claimed takes the task under way to it first.
func (r *runner) loop() {
	quiet := time.NewTimer(r.idle)
	defer quiet.Stop()
	for {
		r.waiting.Add(1)
		var task func()
		select {
		case task = <-r.tasks:
		case <-quiet.C:
		case <-r.stop:
		}
		if task == nil {
			if r.claim() {
				return
			}
			task = <-r.tasks
		}
		task()
		quiet.Reset(r.idle)
	}
}

// Wait waits until every task handed in is done.
func (r *runner) Wait() { r.pending.Wait() }

// Close ends the runner's goroutines once they finish their task and waits
// for them. Go must not be called after Close.
func (r *runner) Close() {
	close(r.stop)
	r.loops.Wait()
}
