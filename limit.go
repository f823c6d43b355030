package storekeep

import (
	"context"
	"time"
)

// Limit is an allowance of Count events per Per, refilled smoothly.
type Limit struct {
	Count int
	Per   time.Duration
}

// Limiter counts events per key. Implementations may be local to a process
// or shared between nodes.
type Limiter interface {
	// Allow records one event under key and reports whether it was within
	// limit. A refused event is not recorded.
	Allow(ctx context.Context, key string, limit Limit) (bool, error)
	// Exhausted reports, without recording anything, whether the next event
	// under key would be refused.
	Exhausted(ctx context.Context, key string, limit Limit) (bool, error)
	// Spent reports, without recording anything, whether key has used up
	// limit. Unlike Exhausted it does not ask whether a new key could be
	// held: a key not held has spent nothing, in a full limiter too.
	Spent(ctx context.Context, key string, limit Limit) (bool, error)
}

// Clock returns the current time; tests inject a fake one.
type Clock func() time.Time

// Caller describes who sent a request, for throttling and the audit trail.
type Caller struct {
	IP string
	// UserAgent is clipped with ClipUserAgent where the request is read,
	// so services store it as it is.
	UserAgent string
	Locale    string
}
