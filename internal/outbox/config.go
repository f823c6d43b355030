package outbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/storekeep/storekeep"
)

// Config tunes a Worker. Zero values take the defaults named below, those
// of DefaultConfig.
type Config struct {
	// PollInterval is how often the worker looks for due mail when nobody
	// kicks it; 1s.
	PollInterval time.Duration
	// WakeDelay is how long after KickSoon the worker wakes, and how long
	// jobs handed to it (Take) wait for a batch (JobBatch) to fill;
	// 100ms. Fewer, fuller batches leave the answers more time without a
	// batch's work beside them: with 50ms a node's one-connection answer
	// p90 was 2.05–2.49 times its median on PostgreSQL, with 100ms
	// 1.85–1.93 (BENCHMARKS.md).
	WakeDelay time.Duration
	// Batch is how many mails the worker holds and sends at once; 256, and
	// PostgresBatch on PostgreSQL. While a backlog lasts, it claims a
	// quarter of them at a time.
	Batch int
	// JobBatch is the most jobs one run of a JobBatch takes; 128. A claim's
	// jobs of a kind beyond it run as further batches, side by side. While
	// a backlog lasts a claim takes a quarter of Batch, so each claim's jobs
	// run in one transaction: fewer, larger transactions cost the database
	// less a job, and held the answers queued behind SQLite's one writer no
	// longer than batches of 32 did (BENCHMARKS.md).
	JobBatch int
	// Renders is how many mails the worker renders at once; half the
	// CPUs Go runs on (GOMAXPROCS), at least one. The mails that wait for
	// a place gather, and the next free place renders them one after the
	// other. Rendering is a send's one long stretch of CPU and a batch's
	// sends all start together: unbounded, they filled the scheduler's
	// queues ahead of the answers (BENCHMARKS.md).
	Renders int
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
	// TokenGrace is how long access tokens and reset or activation tokens
	// are kept once expired, so that a late link is still told apart from
	// a wrong one; 7 days.
	TokenGrace time.Duration
	// PruneBatch is how many rows one pruning statement deletes, so that
	// pruning a large backlog never holds the database's writer for more
	// than a few milliseconds at a time; 1000.
	PruneBatch int
	// DrainTimeout bounds how long Run waits, once cancelled, for the sends
	// under way; 10s.
	DrainTimeout time.Duration
	// From is the sender address of every mail; no-reply@<shop domain> when
	// empty.
	From string
	// Now is the clock that decides which mail is due; time.Now when nil.
	Now storekeep.Clock
	// Logger receives a line per failed attempt, and at debug level one per
	// mail sent; slog.Default when nil.
	Logger *slog.Logger
	// Jobs run the outbox's jobs, by kind. A job is retried like mail when
	// its Job fails; a job of a kind without one fails at once.
	Jobs map[storekeep.JobKind]Job
	// Batches run the jobs of a kind a claim took together, in place of
	// Jobs (which Flush still uses); a kind without one runs job by job.
	Batches map[storekeep.JobKind]JobBatch
}

// DefaultAuditRetention is how long audit events are kept by default.
const DefaultAuditRetention = 90 * 24 * time.Hour

// Job does the work a queued job stands for. done reports that it marked
// the job's row sent itself, in the transaction that did its work;
// otherwise the worker marks it after a nil error.
type Job func(ctx context.Context, j storekeep.Job) (done bool, err error)

// JobBatch does the work of a batch of claimed jobs of one kind, marking
// them done in the transaction that did it, and returns the mail it queued
// already leased until leaseUntil, which the worker sends at once without
// claiming it. An error leaves every job of the batch to be retried.
type JobBatch func(ctx context.Context, jobs []storekeep.Job, leaseUntil time.Time) ([]storekeep.Mail, error)

// PostgresBatch is the default Batch of a node on PostgreSQL. There each
// claim, batch and mark is a round trip to another process, and a worker
// holding 512 rather than 256 delivered 17–25 % more at 64 clients;
// SQLite, whose one writer the worker and the answers share, gained
// nothing from it (BENCHMARKS.md).
const PostgresBatch = 512

// DefaultConfig returns the worker's defaults, those named on Config's
// fields.
func DefaultConfig() Config {
	return Config{
		PollInterval:   time.Second,
		WakeDelay:      100 * time.Millisecond,
		Batch:          256,
		JobBatch:       128,
		Renders:        max(1, runtime.GOMAXPROCS(0)/2),
		Lease:          time.Minute,
		MaxAttempts:    8,
		BackoffBase:    30 * time.Second,
		BackoffMax:     30 * time.Minute,
		Retention:      7 * 24 * time.Hour,
		PruneInterval:  time.Hour,
		AuditRetention: DefaultAuditRetention,
		TokenGrace:     7 * 24 * time.Hour,
		PruneBatch:     1000,
		DrainTimeout:   10 * time.Second,
	}
}

// minLease is the shortest Lease: a send is cut off at half of it.
const minLease = 2 * time.Second

// Validate refuses settings that cannot work, naming the serve flag that
// sets each.
func (c Config) Validate() error {
	errs := []error{
		storekeep.CheckDuration("--mail-poll", c.PollInterval),
		storekeep.CheckCount("outbox batch", c.Batch),
		storekeep.CheckCount("outbox job batch", c.JobBatch),
		storekeep.CheckCount("outbox renders", c.Renders),
		storekeep.CheckCount("--mail-max-attempts", c.MaxAttempts),
		storekeep.CheckDuration("--mail-backoff", c.BackoffBase),
		storekeep.CheckDuration("--mail-retention", c.Retention),
		storekeep.CheckDuration("prune interval", c.PruneInterval),
		storekeep.CheckDuration("--audit-retention", c.AuditRetention),
		storekeep.CheckDuration("token grace", c.TokenGrace),
		storekeep.CheckCount("prune batch", c.PruneBatch),
		storekeep.CheckDuration("drain timeout", c.DrainTimeout),
	}
	if c.Lease < minLease {
		errs = append(errs, fmt.Errorf("--mail-lease must be at least %s, not %s", minLease, c.Lease))
	}
	if c.BackoffMax < c.BackoffBase {
		errs = append(errs, fmt.Errorf("--mail-backoff-max (%s) must be at least --mail-backoff (%s)", c.BackoffMax, c.BackoffBase))
	}
	return errors.Join(errs...)
}

// withDefaults fills the zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	c.PollInterval = cmp.Or(c.PollInterval, d.PollInterval)
	c.WakeDelay = cmp.Or(c.WakeDelay, d.WakeDelay)
	c.Batch = cmp.Or(c.Batch, d.Batch)
	c.JobBatch = cmp.Or(c.JobBatch, d.JobBatch)
	c.Renders = cmp.Or(c.Renders, d.Renders)
	c.Lease = cmp.Or(c.Lease, d.Lease)
	c.MaxAttempts = cmp.Or(c.MaxAttempts, d.MaxAttempts)
	c.BackoffBase = cmp.Or(c.BackoffBase, d.BackoffBase)
	c.BackoffMax = cmp.Or(c.BackoffMax, d.BackoffMax)
	c.Retention = cmp.Or(c.Retention, d.Retention)
	c.PruneInterval = cmp.Or(c.PruneInterval, d.PruneInterval)
	c.AuditRetention = cmp.Or(c.AuditRetention, d.AuditRetention)
	c.TokenGrace = cmp.Or(c.TokenGrace, d.TokenGrace)
	c.PruneBatch = cmp.Or(c.PruneBatch, d.PruneBatch)
	c.DrainTimeout = cmp.Or(c.DrainTimeout, d.DrainTimeout)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
