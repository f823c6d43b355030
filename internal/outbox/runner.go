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
	// task; the tests read them.
	started, waiting atomic.Int64
}

func newRunner(idle time.Duration) *runner {
	return &runner{tasks: make(chan func()), stop: make(chan struct{}), idle: idle}
}

// Go runs f on one of the runner's goroutines.
func (r *runner) Go(f func()) {
	r.pending.Add(1)
	task := func() {
		defer r.pending.Done()
		f()
	}
	select {
	case r.tasks <- task:
	default:
		r.started.Add(1)
		r.loops.Go(func() {
			task()
			r.loop()
		})
	}
}

// loop runs tasks handed to it until the runner closes or none comes
// for r.idle.
func (r *runner) loop() {
	quiet := time.NewTimer(r.idle)
	defer quiet.Stop()
	for {
		r.waiting.Add(1)
		select {
		case task := <-r.tasks:
			r.waiting.Add(-1)
			task()
			quiet.Reset(r.idle)
		case <-quiet.C:
			r.waiting.Add(-1)
			return
		case <-r.stop:
			r.waiting.Add(-1)
			return
		}
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
