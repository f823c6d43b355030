package ratelimit

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/storekeep/storekeep"
)

// RetryAfter is how long a Fallback counts locally, once its primary has
// failed, before it asks the primary again.
const RetryAfter = time.Second

// Fallback is a storekeep.Limiter that asks a primary (shared) limiter and,
// when that fails, a local one instead. Once the primary cannot be reached
// (anything but an error Redis answered, which may be a key's own), it
// counts locally for RetryAfter, then lets one caller ask the primary while the
// others go on counting locally, so that a primary that hangs costs its
// timeout about once a RetryAfter, not once a call. Limits counted locally
// are per node, so while degraded a cluster of N nodes allows up to N
// times as much. It is safe for concurrent use.
type Fallback struct {
	primary  storekeep.Limiter
	local    storekeep.Limiter
	now      storekeep.Clock
	log      *slog.Logger
	degraded atomic.Bool
	// retryAt is when, in Unix nanoseconds, the primary is next asked
	// after a failure; 0 while it works.
	retryAt atomic.Int64
	// failedAt is when, in Unix nanoseconds, the primary last failed.
	failedAt atomic.Int64
}

// NewFallback returns a Fallback over primary and local, reading time
// from clock (time.Now when nil), that logs to log (slog.Default() when
// nil) each time the primary fails after working, or works after failing:
// it works again once it has answered without error for RetryAfter, so
// one key's errors between other keys' answers are one change, not one a
// call.
func NewFallback(primary, local storekeep.Limiter, clock storekeep.Clock, log *slog.Logger) *Fallback {
	if clock == nil {
		clock = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Fallback{primary: primary, local: local, now: clock, log: log}
}

// Degraded reports whether the primary has failed, and not yet answered
// without error for RetryAfter since.
func (f *Fallback) Degraded() bool { return f.degraded.Load() }

type limiterCall func(context.Context, string, storekeep.Limit) (bool, error)

// Allow implements storekeep.Limiter.
func (f *Fallback) Allow(ctx context.Context, key string, limit storekeep.Limit) (bool, error) {
	return f.ask(ctx, key, limit, f.primary.Allow, f.local.Allow)
}

// Exhausted implements storekeep.Limiter.
func (f *Fallback) Exhausted(ctx context.Context, key string, limit storekeep.Limit) (bool, error) {
	return f.ask(ctx, key, limit, f.primary.Exhausted, f.local.Exhausted)
}

// Spent implements storekeep.Limiter.
func (f *Fallback) Spent(ctx context.Context, key string, limit storekeep.Limit) (bool, error) {
	return f.ask(ctx, key, limit, f.primary.Spent, f.local.Spent)
}

func (f *Fallback) ask(ctx context.Context, key string, limit storekeep.Limit, primary, local limiterCall) (bool, error) {
	asked, due := f.primaryDue()
	if !due {
		return local(ctx, key, limit)
	}
	ok, err := primary(ctx, key, limit)
	return f.answer(ctx, asked, ok, err, local, key, limit)
}

// primaryDue reports whether this call asks the primary, and the retry
// time it asks at: always, at 0, while it works; after a failure, once
// RetryAfter has passed, for the one caller that moves the next retry on,
// at the time it moved it to. A retry more than RetryAfter ahead was set
// before the clock stepped back, and is due.
func (f *Fallback) primaryDue() (int64, bool) {
	at := f.retryAt.Load()
	if at == 0 {
		return 0, true
	}
	now := f.now().UnixNano()
	next := now + int64(RetryAfter)
	due := now >= at || at-now > int64(RetryAfter)
	return next, due && f.retryAt.CompareAndSwap(at, next)
}

// answer is the primary's answer ok, err, or local's when the primary
// failed, recording the primary's state. Errors that are the caller's (an
// invalid limit; any error once the caller has left, as a Redis that hangs
// times out after the caller left) are not the primary's fault: a caller
// that left gets its own error. An answer clears a failure only when none
// was recorded since the call was sent (asked is the retry time it was
// sent at): an answer to a call sent before the primary failed says
// nothing of it now.
func (f *Fallback) answer(ctx context.Context, asked int64, ok bool, err error, local limiterCall, key string, limit storekeep.Limit) (bool, error) {
	switch {
	case err != nil && ctx.Err() != nil:
		return false, ctx.Err()
	case errors.Is(err, ErrInvalidLimit):
		return ok, err
	case err != nil:
		now := f.now().UnixNano()
		f.failedAt.Store(now)
		if unreachable(err) {
			f.retryAt.Store(now + int64(RetryAfter))
		}
		if f.degraded.CompareAndSwap(false, true) {
			f.log.Warn("rate limiter: shared limiter failed; counting locally", "err", err)
		}
		return local(ctx, key, limit)
	}
	if f.retryAt.CompareAndSwap(asked, 0) && f.degraded.Load() && f.settled() && f.degraded.CompareAndSwap(true, false) {
		f.log.Info("rate limiter: shared limiter is back")
	}
	return ok, nil
}

// settled reports whether RetryAfter has passed since the primary last
// failed; a failure stamped ahead of the clock (which has stepped back
// since) has passed too.
func (f *Fallback) settled() bool {
	since := f.now().UnixNano() - f.failedAt.Load()
	return since >= int64(RetryAfter) || since < 0
}

// unreachable reports whether err says the primary could not be asked
// (no connection, a timeout, a reply that is not Redis's), rather than
// an error Redis answered.
func unreachable(err error) bool {
	var reply redis.Error
	return !errors.As(err, &reply)
}
