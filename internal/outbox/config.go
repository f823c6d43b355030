package outbox

import (
	"context"
	"log/slog"
	"time"

	"github.com/storekeep/storekeep"
)

// Config tunes a Worker. Zero values take the defaults named below.
type Config struct {
	// PollInterval is how often the worker looks for due mail when nobody
	// kicks it; 1s.
	PollInterval time.Duration
	// Batch is how many mails the worker holds and sends at once; 64.
	// While a backlog lasts, it claims a quarter of them at a time.
	Batch int
	// Lease is how long a claimed mail stays reserved to this worker; 1m.
	// A send is abandoned, and retried, after half of it.
	Lease time.Duration
	// MaxAttempts is how many times a mail is tried before it is given up;
	// 8.
	MaxAttempts int
	// BackoffBase and BackoffMax bound the wait before a retry: after
	// attempt n it is drawn uniformly from [0, min(BackoffMax,
	// BackoffBase·2^(n-1))]; 30s and 30m.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// Retention is how long mail that was sent, or given up, stays in the
	// outbox before it is deleted; 7 days. Mail given up within it can be
	// sent again with the store's RetryMail.
	Retention time.Duration
	// PruneInterval is how often the worker deletes mail older than
	// Retention and audit events older than AuditRetention, the first time
	// when it starts; 1h.
	PruneInterval time.Duration
	// AuditRetention is how long an audit event is kept; 90 days.
	AuditRetention time.Duration
	// AuditPruneBatch is how many audit events one statement deletes, so
	// that pruning a large backlog never holds the database for long; 1000.
	AuditPruneBatch int
	// DrainTimeout bounds how long Run waits, once cancelled, for the sends
	// under way; 10s.
	DrainTimeout time.Duration
	// From is the sender address of every mail; no-reply@<shop domain> when
	// empty.
	From string
	// Now is the clock that decides which mail is due; time.Now when nil.
	Now storekeep.Clock
	// Logger receives one line per attempt; slog.Default when nil.
	Logger *slog.Logger
	// Jobs run the outbox's jobs, by kind. A job is retried like mail when
	// its Job fails; a job of a kind without one fails at once.
	Jobs map[storekeep.JobKind]Job
}

// DefaultAuditRetention is how long audit events are kept by default.
const DefaultAuditRetention = 90 * 24 * time.Hour

// Job does the work a queued job stands for. done reports that it marked
// the job's row sent itself, in the transaction that did its work;
// otherwise the worker marks it after a nil error.
type Job func(ctx context.Context, j storekeep.Job) (done bool, err error)

func (c Config) withDefaults() Config {
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.Batch <= 0 {
		c.Batch = 64
	}
	if c.Lease <= 0 {
		c.Lease = time.Minute
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.BackoffBase <= 0 {
		c.BackoffBase = 30 * time.Second
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = 30 * time.Minute
	}
	if c.Retention <= 0 {
		c.Retention = 7 * 24 * time.Hour
	}
	if c.PruneInterval <= 0 {
		c.PruneInterval = time.Hour
	}
	if c.AuditRetention <= 0 {
		c.AuditRetention = DefaultAuditRetention
	}
	if c.AuditPruneBatch <= 0 {
		c.AuditPruneBatch = 1000
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 10 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
