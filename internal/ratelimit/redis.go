package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/storekeep/storekeep"
)

// DefaultPrefix is the key prefix of a Redis made with an empty prefix.
const DefaultPrefix = "storekeep:"

// Redis is a storekeep.Limiter shared between nodes through Redis, using
// redis_rate's GCRA: a key allows a burst of Count events and regains one
// every Per/Count, as Memory does. Time is Redis's own clock. A key is
// stored as "rate:" (redis_rate's fixed prefix) + prefix + key and expires
// once its allowance is whole again. It is safe for concurrent use.
type Redis struct {
	lim    *redis_rate.Limiter
	prefix string
}

// NewRedis returns a Redis limiter over client with keys under prefix
// (DefaultPrefix when empty).
func NewRedis(client redis.UniversalClient, prefix string) *Redis {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &Redis{lim: redis_rate.NewLimiter(client), prefix: prefix}
}

func gcra(l storekeep.Limit) redis_rate.Limit {
	return redis_rate.Limit{Rate: l.Count, Burst: l.Count, Period: l.Per}
}

// Allow implements storekeep.Limiter. A refused event leaves the key as it
// was: redis_rate's script only writes when it allows.
func (r *Redis) Allow(ctx context.Context, key string, limit storekeep.Limit) (bool, error) {
	if err := check(limit); err != nil {
		return false, err
	}
	res, err := guard(func() (*redis_rate.Result, error) { return r.lim.Allow(ctx, r.prefix+key, gcra(limit)) })
	if err != nil {
		return false, err
	}
	return res.Allowed > 0, nil
}

// Exhausted implements storekeep.Limiter with redis_rate's AllowAtMost and
// n=0, which writes nothing when no event is left and otherwise rewrites
// the key's stored value unchanged: no event is recorded either way.
//
// With n=0, Allowed is always 0 and says nothing (AllowN(0) likewise).
// AllowAtMost reports no event left by Remaining 0 and RetryAfter > 0, but
// its script works in float seconds since 2017, whose rounding (about 1e-7
// s) can put a full bucket a hair under one event: with Count 1 and Per
// 150ms it does, every time. So a key counts as exhausted only when the wait
// exceeds floatSlack, well above that error and below anything a caller
// could notice.
func (r *Redis) Exhausted(ctx context.Context, key string, limit storekeep.Limit) (bool, error) {
	if err := check(limit); err != nil {
		return false, err
	}
	res, err := guard(func() (*redis_rate.Result, error) { return r.lim.AllowAtMost(ctx, r.prefix+key, gcra(limit), 0) })
	if err != nil {
		return false, err
	}
	return res.Remaining < 1 && res.RetryAfter > floatSlack, nil
}

const floatSlack = time.Microsecond

// ErrBadReply is returned (wrapped) when Redis, or whatever answers on its
// address, replies to the limiter's script with something the script never
// returns.
var ErrBadReply = errors.New("ratelimit: Redis answered something other than the script's reply")

// guard runs call, turning a panic into ErrBadReply: redis_rate reads the
// script's reply with unchecked type assertions and indexes, so a reply of
// another shape would otherwise panic, and a panic in the outbox worker
// ends the node.
func guard(call func() (*redis_rate.Result, error)) (res *redis_rate.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("%w: %v", ErrBadReply, p)
		}
	}()
	return call()
}

// Spent implements storekeep.Limiter: Redis holds every key, so it is
// Exhausted.
func (r *Redis) Spent(ctx context.Context, key string, limit storekeep.Limit) (bool, error) {
	return r.Exhausted(ctx, key, limit)
}
