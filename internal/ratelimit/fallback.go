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
	return f.answer(ctx, ok, err, f.local.Allow, key, limit)
}

// Exhausted implements storekeep.Limiter.
func (f *Fallback) Exhausted(ctx context.Context, key string, limit storekeep.Limit) (bool, error) {
	ok, err := f.primary.Exhausted(ctx, key, limit)
	return f.answer(ctx, ok, err, f.local.Exhausted, key, limit)
}

// Spent implements storekeep.Limiter.
func (f *Fallback) Spent(ctx context.Context, key string, limit storekeep.Limit) (bool, error) {
	ok, err := f.primary.Spent(ctx, key, limit)
	return f.answer(ctx, ok, err, f.local.Spent, key, limit)
}

// answer is the primary's answer ok, err, or local's when the primary
// failed, recording the primary's state. Errors that are the caller's (an
// invalid limit; any error once the caller has left, as a Redis that hangs
// times out after the caller left) are not the primary's fault: a caller
// that left gets its own error.
func (f *Fallback) answer(ctx context.Context, ok bool, err error,
	local func(context.Context, string, storekeep.Limit) (bool, error), key string, limit storekeep.Limit) (bool, error) {
	switch {
	case err != nil && ctx.Err() != nil:
		return false, ctx.Err()
	case errors.Is(err, ErrInvalidLimit):
		return ok, err
	case err != nil:
		if f.degraded.CompareAndSwap(false, true) {
			f.log.Warn("rate limiter: shared limiter failed; counting locally", "err", err)
		}
		return local(ctx, key, limit)
	}
	if f.degraded.CompareAndSwap(true, false) {
		f.log.Info("rate limiter: shared limiter is back")
	}
	return ok, nil
}
