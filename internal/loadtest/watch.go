package loadtest

import (
	"context"
	"sync"
	"time"
)

// watchEvery is how often the server's /metrics is sampled during a
// scenario and its drain.
const watchEvery = 250 * time.Millisecond

// ServerReport is what the bench saw of the server while a scenario ran
// and drained, sampled from its /metrics: the outbox backlog's largest
// size and oldest pending row's greatest age, the process's peak
// resident memory (0 when the server does not export it), and how many
// customerRecover requests it held back while its delivery was behind
// (--recover-pace) since the first sample.
type ServerReport struct {
	Samples              int     `json:"samples"`
	BacklogMaxPending    int     `json:"backlog_max_pending"`
	BacklogMaxAgeSeconds float64 `json:"backlog_max_age_seconds"`
	PeakRSSBytes         int64   `json:"peak_rss_bytes"`
	RecoversHeld         int64   `json:"recovers_held"`
	Error                string  `json:"error,omitempty"`
}

// serverWatch samples the server until stopped.
type serverWatch struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	rep    ServerReport
	// heldFrom is storekeep_recover_held_total at the first sample that
	// had it; heldSeen says there was one.
	heldFrom float64
	heldSeen bool
}

// watchServer starts sampling the server's /metrics; nil when the bench
// has no admin listener to read (Drain is 0).
func (b *bench) watchServer(ctx context.Context) *serverWatch {
	if b.cfg.Drain <= 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &serverWatch{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(watchEvery)
		defer tick.Stop()
		for {
			w.sample(ctx, b)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

func (w *serverWatch) sample(ctx context.Context, b *bench) {
	got, err := b.serverMetrics(ctx, metricPending, metricOldestAge, metricRSS, metricHeld)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil && w.rep.Error == "" {
			w.rep.Error = err.Error()
		}
		return
	}
	w.rep.Samples++
	w.rep.BacklogMaxPending = max(w.rep.BacklogMaxPending, int(got[metricPending]))
	w.rep.BacklogMaxAgeSeconds = max(w.rep.BacklogMaxAgeSeconds, got[metricOldestAge])
	w.rep.PeakRSSBytes = max(w.rep.PeakRSSBytes, int64(got[metricRSS]))
	if held, ok := got[metricHeld]; ok {
		if !w.heldSeen {
			w.heldFrom, w.heldSeen = held, true
		}
		w.rep.RecoversHeld = int64(held - w.heldFrom)
	}
}

// stop takes a last sample and returns what was seen; nil for a nil w.
func (w *serverWatch) stop(ctx context.Context, b *bench) *ServerReport {
	if w == nil {
		return nil
	}
	w.cancel()
	<-w.done
	w.sample(ctx, b)
	rep := w.rep
	return &rep
}
