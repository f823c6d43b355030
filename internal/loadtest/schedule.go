package loadtest

import (
	"context"
	"sync/atomic"
	"time"
)

// schedule hands the clients the times their requests are due. Closed
// (rate 0), a request is due when a client is free to send it. Open, the
// k-th request of the scenario is due at start + k/rate whether or not a
// client is free then, and it is timed from then: a server that falls
// behind is charged for the requests it kept waiting, as a shop's
// customers, who do not wait for each other, would be.
type schedule struct {
	start time.Time
	stop  time.Time
	rate  float64
	n     atomic.Int64
}

// newSchedule returns the schedule of a scenario running from start for d
// at rate requests a second (0: closed).
func newSchedule(start time.Time, d time.Duration, rate float64) *schedule {
	return &schedule{start: start, stop: start.Add(d), rate: rate}
}

// next waits until the caller's next request is due and returns when it
// was due, or false once the scenario is over or ctx is done.
func (s *schedule) next(ctx context.Context) (time.Time, bool) {
	if s.rate == 0 {
		now := time.Now()
		return now, ctx.Err() == nil && now.Before(s.stop)
	}
	k := s.n.Add(1) - 1
	due := s.start.Add(time.Duration(float64(k) / s.rate * float64(time.Second)))
	if !due.Before(s.stop) {
		return due, false
	}
	wait := time.NewTimer(time.Until(due))
	defer wait.Stop()
	select {
	case <-wait.C:
		return due, true
	case <-ctx.Done():
		return due, false
	}
}
