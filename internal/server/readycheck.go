package server

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// ReadyCheckTimeout bounds one readiness check, which runs apart from the
// probe that started it, as others wait for its answer too.
const ReadyCheckTimeout = 5 * time.Second

// ReadyCheck runs a node's readiness check for /readyz on both listeners.
// Probes that arrive while a check runs share its answer, so a flood of
// probes runs one check at a time (holding one database connection); a
// probe that arrives when none runs starts one, so no answer predates
// its probe by more than a check. It logs the node becoming not ready,
// or the reason changing, and ready again, once each.
type ReadyCheck struct {
	check  func(context.Context) error
	log    *slog.Logger
	flight singleflight.Group
	mu     sync.Mutex
	last   string
}

// NewReadyCheck returns a ReadyCheck of check, logging to log
// (slog.Default() when nil).
func NewReadyCheck(check func(context.Context) error, log *slog.Logger) *ReadyCheck {
	if log == nil {
		log = slog.Default()
	}
	return &ReadyCheck{check: check, log: log}
}

// Ready reports whether the node can take traffic: the answer of the check
// in flight, or of one it starts. It returns ctx's error if ctx ends first.
func (c *ReadyCheck) Ready(ctx context.Context) error {
	answer := c.flight.DoChan("ready", func() (any, error) {
		checkCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ReadyCheckTimeout)
		defer cancel()
		err := c.run(checkCtx)
		c.record(err)
		return nil, err
	})
	select {
	case r := <-answer:
		return r.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run runs the check, a panic in it being its failure: it runs apart from
// any request, where nothing else would recover it.
func (c *ReadyCheck) run(ctx context.Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the readiness check panicked: %v", p)
		}
	}()
	return c.check(ctx)
}

// record logs err when it is a change from the last check's answer.
func (c *ReadyCheck) record(err error) {
	reason := ""
	if err != nil {
		reason = err.Error()
	}
	c.mu.Lock()
	changed, was := reason != c.last, c.last
	c.last = reason
	c.mu.Unlock()
	switch {
	case !changed:
	case err != nil:
		c.log.Warn("not ready", "err", err)
	case was != "":
		c.log.Info("ready again")
	}
}
