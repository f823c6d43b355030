package ratelimit

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"

	"github.com/storekeep/storekeep"
)

// Fallback is a storekeep.Limiter that asks a primary (shared) limiter and,
// when that fails, a local one instead. Limits counted locally are per
// node, so while degraded a cluster of N nodes allows up to N times as
// much. It is safe for concurrent use.
type Fallback struct {
	primary  storekeep.Limiter
	local    storekeep.Limiter
	log      *slog.Logger
	degraded atomic.Bool
}

// NewFallback returns a Fallback over primary and local that logs to log
// (slog.Default() when nil) each time the primary fails after working, or
// works after failing.
func NewFallback(primary, local storekeep.Limiter, log *slog.Logger) *Fallback {
	if log == nil {
		log = slog.Default()
	}
	return &Fallback{primary: primary, local: local, log: log}
}

// Degraded reports whether the primary failed on its last use.
func (f *Fallback) Degraded() bool { return f.degraded.Load() }

// Allow implements storekeep.Limiter.
func (f *Fallback) Allow(ctx context.Context, key string, limit storekeep.Limit) (bool, error) {
	ok, err := f.primary.Allow(ctx, key, limit)
	if err != nil && ctx.Err() != nil {
		return false, ctx.Err()
	}
	if f.failed(ctx, err) {
		return f.local.Allow(ctx, key, limit)
	}
	return ok, err
}

// Exhausted implements storekeep.Limiter.
func (f *Fallback) Exhausted(ctx context.Context, key string, limit storekeep.Limit) (bool, error) {
	ok, err := f.primary.Exhausted(ctx, key, limit)
	if err != nil && ctx.Err() != nil {
		return false, ctx.Err()
	}
	if f.failed(ctx, err) {
		return f.local.Exhausted(ctx, key, limit)
	}
	return ok, err
}

// failed records the primary's state after a call that returned err and
// reports whether the local limiter should answer instead. Errors that are
// the caller's (a done ctx, an invalid limit) are not the primary's fault;
// a call whose caller left meanwhile returns the caller's error, whatever
// the primary's (a Redis that hangs times out after the caller left).
func (f *Fallback) failed(ctx context.Context, err error) bool {
	if err != nil && (ctx.Err() != nil || errors.Is(err, ErrInvalidLimit)) {
		return false
	}
	if err != nil {
		if f.degraded.CompareAndSwap(false, true) {
			f.log.Warn("rate limiter: shared limiter failed; counting locally", "err", err)
		}
		return true
	}
	if f.degraded.CompareAndSwap(true, false) {
		f.log.Info("rate limiter: shared limiter is back")
	}
	return false
}
