package loadtest

import (
	"cmp"
	"sync"
	"time"
)

// tally counts outcomes and times requests; one per worker, merged at the
// end, so workers never contend.
type tally struct {
	all, ok  histogram
	counts   [numOutcomes]int64
	firstErr string
	firstUE  string
}

func (t *tally) add(r result, took time.Duration) {
	t.all.Record(took)
	t.counts[r.outcome]++
	switch r.outcome {
	case outcomeOK:
		t.ok.Record(took)
	case outcomeError:
		if t.firstErr == "" {
			t.firstErr = r.detail
		}
	case outcomeUserError:
		if t.firstUE == "" {
			t.firstUE = r.detail
		}
	}
}

func (t *tally) merge(o *tally) {
	t.all.Merge(&o.all)
	t.ok.Merge(&o.ok)
	for i, c := range o.counts {
		t.counts[i] += c
	}
	t.firstErr = cmp.Or(t.firstErr, o.firstErr)
	t.firstUE = cmp.Or(t.firstUE, o.firstUE)
}

func (t *tally) requests() int64 {
	var n int64
	for _, c := range t.counts {
		n += c
	}
	return n
}

// mailClock times recover-to-delivery for the reset mails of one scenario;
// the sink's sessions record into it concurrently.
type mailClock struct {
	mu        sync.Mutex
	accepted  int64
	delivered int64
	latency   histogram
	last      time.Time
	arrived   chan struct{}
}

func newMailClock() *mailClock { return &mailClock{arrived: make(chan struct{}, 1)} }

func (m *mailClock) accept() {
	m.mu.Lock()
	m.accepted++
	m.mu.Unlock()
}

// deliver records a mail the sink received at at, took after its request
// was sent.
func (m *mailClock) deliver(at time.Time, took time.Duration) {
	m.mu.Lock()
	m.delivered++
	m.latency.Record(took)
	if at.After(m.last) {
		m.last = at
	}
	m.mu.Unlock()
	select {
	case m.arrived <- struct{}{}:
	default:
	}
}

// settle waits until every accepted recover's mail arrived or grace passed.
func (m *mailClock) settle(grace time.Duration) {
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	for {
		m.mu.Lock()
		done := m.delivered >= m.accepted
		m.mu.Unlock()
		if done {
			return
		}
		select {
		case <-m.arrived:
		case <-deadline.C:
			return
		}
	}
}
