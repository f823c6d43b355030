package app

import (
	"errors"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/ratelimit"
)

// limiter is the node's throttle store: in memory alone, or Redis shared by
// every node with the in-memory one standing in while Redis is unreachable.
type limiter struct {
	storekeep.Limiter
	local    *ratelimit.Memory
	fallback *ratelimit.Fallback
	client   *redis.Client
}

func newLimiter(redisURL, prefix string, maxKeys int, now storekeep.Clock, log *slog.Logger) (*limiter, error) {
	local := ratelimit.NewMemory(now, maxKeys, log)
	if redisURL == "" {
		return &limiter{Limiter: local, local: local}, nil
	}
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, errors.New("--redis: not a valid redis:// or rediss:// URL (the URL is not shown, as it may hold a password; " +
			"percent-encode any of / ? # @ : in the user name or password)")
	}
	opts.DialTimeout = 250 * time.Millisecond
	opts.ReadTimeout = 250 * time.Millisecond
	opts.WriteTimeout = 250 * time.Millisecond
	opts.DialerRetries = 1
	opts.MaxRetries = -1
	opts.PoolTimeout = 500 * time.Millisecond
	client := redis.NewClient(opts)
	if prefix == "" {
		prefix = ratelimit.DefaultPrefix
	}
	fb := ratelimit.NewFallback(ratelimit.NewRedis(client, prefix), local, now, log)
	return &limiter{Limiter: fb, local: local, fallback: fb, client: client}, nil
}

// degraded reports whether the shared limiter is down and the local one
// answers in its place.
func (l *limiter) degraded() bool {
	return l.fallback != nil && l.fallback.Degraded()
}

func (l *limiter) close() error {
	if l.client == nil {
		return nil
	}
	return l.client.Close()
}
