package loadtest

import (
	"context"
	"sync"
	"time"
)

// worker is one client's state during a scenario.
type worker struct {
	ips *buyerIPs
	// due is when the request being made was due (the schedule's next).
	due   time.Time
	sent  int
	tally tally
	// late times, in an open run, how long after it was due each request
	// was taken up: the bench's own lateness, inside every latency it
	// reports.
	late histogram
	// prep and mailTimeouts count the unmeasured requests a scenario makes
	// to prepare a measured one.
	prep         tally
	mailTimeouts int64
}

// run calls step on every client, over and over, until the scenario's
// duration has passed; iterations under way then finish. With a rate, each
// call waits until its request is due (schedule), and how late it is taken
// up is recorded. It returns the workers and the time from start until the
// last one stopped.
func (b *bench) run(ctx context.Context, step func(context.Context, *worker)) ([]*worker, time.Duration) {
	workers := make([]*worker, b.cfg.Clients)
	start := time.Now()
	due := newSchedule(start, b.cfg.Duration, b.cfg.Rate)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{ips: b.ips[i]}
		workers[i] = w
		wg.Go(func() {
			for {
				var ok bool
				if w.due, ok = due.next(ctx); !ok {
					return
				}
				if b.cfg.Rate > 0 {
					w.late.Record(time.Since(w.due))
				}
				step(ctx, w)
			}
		})
	}
	wg.Wait()
	return workers, time.Since(start)
}

// summarize merges the workers' tallies into a scenario's report.
func summarize(name string, workers []*worker, elapsed time.Duration) ScenarioReport {
	var all tally
	var late histogram
	for _, w := range workers {
		all.merge(&w.tally)
		late.Merge(&w.late)
	}
	n := all.requests()
	var sentLate *Latency
	if late.Count() > 0 {
		l := latencyOf(&late)
		sentLate = &l
	}
	return ScenarioReport{
		SentLate:       sentLate,
		Name:           name,
		Requests:       n,
		Seconds:        elapsed.Seconds(),
		PerSecond:      float64(n) / elapsed.Seconds(),
		Latency:        latencyOf(&all.all),
		OKLatency:      latencyOf(&all.ok),
		Counts:         countsOf(&all),
		FirstError:     all.firstErr,
		FirstUserError: all.firstUE,
	}
}
