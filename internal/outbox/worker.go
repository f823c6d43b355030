// Package outbox delivers the mail queued in the store's outbox: it claims
// due mail, renders it, hands it to a mail.Sender and records the outcome,
// retrying temporary failures with exponential backoff and jitter.
// Delivery is at least once; a mail sent again keeps its Message-ID.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/expiring"
	"github.com/storekeep/storekeep/internal/groupcommit"
	"github.com/storekeep/storekeep/internal/mail"
)

// markTimeout bounds each write of an outcome to the store.
const markTimeout = 5 * time.Second

// Store holds the outbox, and the audit trail and tokens the worker
// prunes.
type Store interface {
	storekeep.OutboxStore
	PruneAudit(ctx context.Context, cutoff time.Time, limit int) (int, error)
	PruneTokens(ctx context.Context, cutoff time.Time, limit int) (int, error)
}

// ShopLookup finds the shop a mail speaks for.
type ShopLookup interface {
	// ShopByID returns the shop, or storekeep.ErrNotFound.
	ShopByID(ctx context.Context, id int64) (storekeep.Shop, error)
}

// Renderer builds the message for a queued mail; *mail.Renderer is one.
type Renderer interface {
	Render(shop storekeep.Shop, m storekeep.Mail, from string) (mail.Message, error)
}

// Metrics counts outcomes since the worker was made.
type Metrics struct {
	// Sent counts mails delivered.
	Sent atomic.Int64
	// Retried counts failed attempts that were scheduled again.
	Retried atomic.Int64
	// Failed counts mails given up.
	Failed atomic.Int64
}

// Worker delivers queued mail. Run it once per process; Kick it after
// queuing mail.
type Worker struct {
	store     Store
	shops     ShopLookup
	render    Renderer
	sender    mail.Sender
	cfg       Config
	log       *slog.Logger
	kick      chan struct{}
	busy      atomic.Int64
	full      atomic.Bool
	running   atomic.Bool
	pruning   atomic.Bool
	soon      atomic.Bool
	metrics   Metrics
	shopCache *expiring.Map[int64, storekeep.Shop]
	// renders renders mails, Config.Renders groups at once.
	renders *groupcommit.Group[renderJob, rendered]
	sent    *groupcommit.Group[int64, struct{}]
	// taken holds the jobs handed to Take and not yet run, the first
	// taken at takenAt.
	takenMu sync.Mutex
	taken   []storekeep.Job
	takenAt time.Time
}

// New returns a worker over store that renders with render and sends with
// sender.
func New(store Store, shops ShopLookup, render Renderer, sender mail.Sender, cfg Config) *Worker {
	cfg = cfg.withDefaults()
	w := &Worker{
		store:     store,
		shops:     shops,
		render:    render,
		sender:    sender,
		cfg:       cfg,
		log:       cfg.Logger,
		kick:      make(chan struct{}, 1),
		shopCache: expiring.New[int64, storekeep.Shop](shopTTL, maxCachedShops),
	}
	w.sent = groupcommit.New(1, w.writeSent)
	w.renders = groupcommit.New(cfg.Renders, w.renderGroup)
	return w
}

// Metrics returns the worker's live counters.
func (w *Worker) Metrics() *Metrics { return &w.metrics }

// Kick wakes Run to look for due mail now rather than at its next poll.
// It never blocks; kicks that arrive while one is pending merge into it.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// KickSoon wakes Run after the wake delay unless a wake is already
// pending, so that the jobs queued meanwhile are claimed together and the
// work they cause never follows any one of them directly. It never blocks
// and starts at most one timer per delay.
func (w *Worker) KickSoon() {
	if w.soon.CompareAndSwap(false, true) {
		time.AfterFunc(w.cfg.WakeDelay, func() {
			w.soon.Store(false)
			w.Kick()
		})
	}
}

// Run delivers mail until ctx is done, and every prune interval deletes,
// off the delivery path and in small batches, mail older than the
// retention, audit events older than the audit retention and tokens
// expired for longer than the token grace. Once ctx is done it claims nothing more
// and waits for the sends under way, up to the drain timeout, after which
// it interrupts them, releases their mail for another attempt, and returns
// an error.
func (w *Worker) Run(ctx context.Context) error {
	sendCtx, interrupt := context.WithCancel(context.WithoutCancel(ctx))
	defer interrupt()
	runs := newRunner(runnerIdle)
	defer runs.Close()
	ticker := time.NewTicker(w.cfg.PollInterval)
	defer ticker.Stop()
	pruneTicker := time.NewTicker(w.cfg.PruneInterval)
	defer pruneTicker.Stop()
	var pruning sync.WaitGroup
	defer pruning.Wait()
	prune := func() {
		if w.pruning.CompareAndSwap(false, true) {
			pruning.Go(func() {
				defer w.pruning.Store(false)
				w.prune(ctx)
			})
		}
	}
	prune()
	w.running.Store(true)
	for {
		w.dispatch(ctx, sendCtx, runs)
		select {
		case <-ctx.Done():
			w.running.Store(false)
			w.runJobs(sendCtx, w.takeDue(true), runs)
			return w.drain(runs, interrupt)
		case <-ticker.C:
		case <-w.kick:
		case <-pruneTicker.C:
			prune()
		}
	}
}

// prune deletes mail sent, or given up, before the retention, audit
// events older than the audit retention, and tokens expired for longer
// than the token grace.
func (w *Worker) prune(ctx context.Context) {
	now := w.cfg.Now()
	w.pruneBatches(ctx, "old mail", w.cfg.Retention, now.Add(-w.cfg.Retention), w.store.PruneMail)
	w.pruneBatches(ctx, "old audit events", w.cfg.AuditRetention, now.Add(-w.cfg.AuditRetention), w.store.PruneAudit)
	w.pruneBatches(ctx, "expired tokens", w.cfg.TokenGrace, now.Add(-w.cfg.TokenGrace), w.store.PruneTokens)
}

// pruneBatches deletes what del deletes before cutoff, PruneBatch rows a
// statement, and after each full batch rests as long as it took, so that
// pruning a large backlog holds the database's writer for one short batch
// at a time and at most half the time.
func (w *Worker) pruneBatches(ctx context.Context, what string, keep time.Duration, cutoff time.Time,
	del func(ctx context.Context, cutoff time.Time, limit int) (int, error)) {
	total, batches := 0, 0
	var slowest time.Duration
	for ctx.Err() == nil {
		start := time.Now()
		n, err := del(ctx, cutoff, w.cfg.PruneBatch)
		took := time.Since(start)
		total, batches, slowest = total+n, batches+1, max(slowest, took)
		if err != nil {
			if ctx.Err() == nil {
				w.log.Error("outbox: prune "+what, "err", err)
			}
			break
		}
		if n < w.cfg.PruneBatch {
			break
		}
		rest := time.NewTimer(took)
		select {
		case <-ctx.Done():
		case <-rest.C:
		}
		rest.Stop()
	}
	if total > 0 {
		w.log.Info("outbox: pruned "+what, "deleted", total, "kept_for", keep.String(), "statements", batches,
			"slowest_statement", slowest.String())
	}
}

// Flush delivers mail until none is due, each round waiting for every
// send, and returns ctx's error if ctx ends first. Mail scheduled for a
// later retry stays queued.
func (w *Worker) Flush(ctx context.Context) error {
	if taken := w.takeDue(true); len(taken) > 0 {
		runs := newRunner(runnerIdle)
		w.runJobs(ctx, taken, runs)
		runs.Wait()
		runs.Close()
	}
	for {
		claimed, err := w.store.Claim(ctx, w.cfg.Now(), w.cfg.Lease, w.cfg.Batch)
		if err != nil {
			return fmt.Errorf("outbox: claim: %w", err)
		}
		if claimed.Len() == 0 {
			return nil
		}
		var wg sync.WaitGroup
		for _, t := range w.tasks(claimed) {
			wg.Go(func() { w.deliver(ctx, t) })
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// dispatch claims as many due mails as there are free places in the batch
// and hands each send, and each batch of jobs, to runs.
func (w *Worker) dispatch(ctx, sendCtx context.Context, runs *runner) {
	w.runJobs(sendCtx, w.takeDue(false), runs)
	for ctx.Err() == nil {
		free := w.cfg.Batch - int(w.busy.Load())
		if free < w.minClaim() {
			return
		}
		claimed, err := w.store.Claim(ctx, w.cfg.Now(), w.cfg.Lease, free)
		if err != nil {
			if ctx.Err() == nil {
				w.log.Error("outbox: claim mail", "err", err)
			}
			return
		}
		w.full.Store(claimed.Len() == free)
		n := claimed.Len()
		w.busy.Add(int64(n))
		w.runJobs(sendCtx, w.batches(&claimed), runs)
		for _, t := range w.tasks(claimed) {
			runs.Go(func() {
				defer w.release(1)
				w.deliver(sendCtx, t)
			})
		}
		if n < free {
			return
		}
	}
}

// release gives back n places of the batch, and kicks Run to claim more
// while a backlog lasts.
func (w *Worker) release(n int) {
	busy := w.busy.Add(-int64(n))
	if w.full.Load() && w.cfg.Batch-int(busy) >= w.minClaim() {
		w.Kick()
	}
}

// batches takes out of c the jobs of the kinds that run in batches.
func (w *Worker) batches(c *storekeep.Claimed) []storekeep.Job {
	if len(w.cfg.Batches) == 0 {
		return nil
	}
	var out []storekeep.Job
	rest := c.Jobs[:0:0]
	for _, j := range c.Jobs {
		if _, ok := w.cfg.Batches[j.Kind]; !ok {
			rest = append(rest, j)
			continue
		}
		out = append(out, j)
	}
	c.Jobs = rest
	return out
}

// runBatch runs a batch of jobs, which hold a place of the batch each, and
// sends the mail it made, each in a place of a job: on this goroutine when
// the sender sends groups (sendMade), else each on one of runs. When the
// run fails, each job's outcome is recorded as a failed attempt.
func (w *Worker) runBatch(ctx context.Context, run JobBatch, jobs []storekeep.Job, runs *runner) {
	attemptCtx, cancel := context.WithTimeout(ctx, w.cfg.Lease/2)
	mails, err := run(attemptCtx, jobs, w.cfg.Now().Add(w.cfg.Lease))
	cancel()
	if err != nil {
		defer w.release(len(jobs))
		for _, j := range jobs {
			w.record(ctx, w.jobTask(j), false, err)
		}
		return
	}
	mails = mails[:min(len(mails), len(jobs))]
	w.release(len(jobs) - len(mails))
	if gs, ok := w.sender.(groupSender); ok {
		w.sendMade(ctx, mails, gs)
		return
	}
	for _, m := range mails {
		runs.Go(func() {
			defer w.release(1)
			w.deliver(ctx, w.mailTask(m))
		})
	}
}

// minClaim is the fewest free places worth a claim. While the last claim
// filled the batch there is a backlog, and claiming a place at a time as
// sends finish would cost a write transaction per mail; a quarter of the
// batch is claimed at once instead.
func (w *Worker) minClaim() int {
	if w.full.Load() {
		return max(1, w.cfg.Batch/4)
	}
	return 1
}

func (w *Worker) drain(runs *runner, interrupt context.CancelFunc) error {
	done := make(chan struct{})
	go func() {
		runs.Wait()
		close(done)
	}()
	timer := time.NewTimer(w.cfg.DrainTimeout)
	defer timer.Stop()
	select {
	case <-done:
		return nil
	case <-timer.C:
		interrupt()
		<-done
		return fmt.Errorf("outbox: sends still under way after %s were interrupted and will be retried", w.cfg.DrainTimeout)
	}
}

// task is a claimed outbox row: a mail to send or a job to run. recorded
// reports that run marked the row sent itself.
type task struct {
	id       int64
	attempts int
	job      bool
	shopID   int64
	// what is the mail's template or the job's kind.
	what string
	run  func(ctx context.Context) (recorded bool, err error)
}

// logger returns log with t's identity, made only for a line to write.
func (t task) logger(log *slog.Logger) *slog.Logger {
	if t.job {
		return log.With("job_id", t.id, "shop_id", t.shopID, "job", t.what, "attempt", t.attempts)
	}
	return log.With("mail_id", t.id, "shop_id", t.shopID, "template", t.what, "attempt", t.attempts)
}

// tasks turns a claimed batch into tasks, mail first.
func (w *Worker) tasks(c storekeep.Claimed) []task {
	list := make([]task, 0, c.Len())
	for _, m := range c.Mail {
		list = append(list, w.mailTask(m))
	}
	for _, j := range c.Jobs {
		list = append(list, w.jobTask(j))
	}
	return list
}

func (w *Worker) mailTask(m storekeep.Mail) task {
	return task{id: m.ID, attempts: m.Attempts, shopID: m.ShopID, what: string(m.Template),
		run: func(ctx context.Context) (bool, error) { return false, w.send(ctx, m) }}
}

func (w *Worker) jobTask(j storekeep.Job) task {
	return task{id: j.ID, attempts: j.Attempts, job: true, shopID: j.ShopID, what: string(j.Kind),
		run: func(ctx context.Context) (bool, error) {
			run, ok := w.cfg.Jobs[j.Kind]
			if !ok {
				return false, mail.Permanent(fmt.Errorf("outbox: no runner for jobs of kind %q", j.Kind))
			}
			return run(ctx, j)
		}}
}

// deliver makes one attempt at t and records its outcome. When ctx ends
// first the attempt is interrupted and the row released at once, without
// backoff.
func (w *Worker) deliver(ctx context.Context, t task) {
	attemptCtx, cancel := context.WithTimeout(ctx, w.cfg.Lease/2)
	recorded, err := t.run(attemptCtx)
	cancel()
	w.record(ctx, t, recorded, err)
}

// record writes the outcome of an attempt at t: err, and whether the
// attempt marked t sent itself.
func (w *Worker) record(ctx context.Context, t task, recorded bool, err error) {
	markCtx, cancelMark := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancelMark()
	now := w.cfg.Now()
	isJob := t.job
	var markErr error
	var counter *atomic.Int64
	switch {
	case err == nil:
		if !recorded {
			markErr = w.markSent(markCtx, t.id)
		}
		if !isJob {
			counter = &w.metrics.Sent
			if w.log.Enabled(ctx, slog.LevelDebug) {
				t.logger(w.log).Debug("outbox: mail sent")
			}
		}
	case ctx.Err() != nil:
		markErr = w.store.MarkMailRetry(markCtx, t.id, now, "interrupted: "+err.Error())
		t.logger(w.log).Info("outbox: send interrupted; mail released", "err", err)
	case mail.IsPermanent(err) || t.attempts >= w.cfg.MaxAttempts:
		markErr = w.store.MarkMailFailed(markCtx, t.id, now, err.Error())
		counter = &w.metrics.Failed
	default:
		next := now.Add(backoff(t.attempts, w.cfg.BackoffBase, w.cfg.BackoffMax))
		markErr = w.store.MarkMailRetry(markCtx, t.id, next, err.Error())
		counter = &w.metrics.Retried
		t.logger(w.log).Warn("outbox: mail failed; will retry", "err", err, "next_attempt", next)
	}
	if markErr != nil {
		t.logger(w.log).Error("outbox: record outcome", "err", markErr)
	}
	// Counted once recorded, so that a reader of the counters finds the
	// store up to date.
	if counter != nil {
		total := counter.Add(1)
		if counter == &w.metrics.Failed {
			t.logger(w.log).Warn("outbox: mail abandoned; see `storekeep mail list --status failed`",
				"err", err, "permanent", mail.IsPermanent(err), "abandoned_total", total)
		}
	}
}

// send renders m for its shop and sends it.
func (w *Worker) send(ctx context.Context, m storekeep.Mail) error {
	msg, err := w.compose(ctx, m)
	if err != nil {
		return err
	}
	return w.sender.Send(ctx, msg)
}

// compose renders m for its shop.
func (w *Worker) compose(ctx context.Context, m storekeep.Mail) (mail.Message, error) {
	shop, err := w.shop(ctx, m.ShopID)
	if errors.Is(err, storekeep.ErrNotFound) {
		return mail.Message{}, mail.Permanent(fmt.Errorf("outbox: shop %d no longer exists", m.ShopID))
	}
	if err != nil {
		return mail.Message{}, fmt.Errorf("outbox: shop %d: %w", m.ShopID, err)
	}
	from := w.cfg.From
	if from == "" {
		from = "no-reply@" + shop.Domain
	}
	return w.renderInTurn(ctx, shop, m, from)
}

// renderJob is a mail to render and what its message needs besides.
type renderJob struct {
	shop storekeep.Shop
	mail storekeep.Mail
	from string
}

// rendered is a renderJob's message or error.
type rendered struct {
	msg mail.Message
	err error
}

// renderInTurn renders m in one of the worker's Config.Renders places,
// with the mails that wait for a place meanwhile: one goroutine renders a
// group in turn, rather than each send waking for a place of its own.
func (w *Worker) renderInTurn(ctx context.Context, shop storekeep.Shop, m storekeep.Mail, from string) (mail.Message, error) {
	r, err := w.renders.Do(ctx, renderJob{shop: shop, mail: m, from: from})
	if err != nil {
		return mail.Message{}, err
	}
	return r.msg, r.err
}

// renderGroup is the write of w.renders: it renders jobs in turn.
func (w *Worker) renderGroup(_ context.Context, jobs []renderJob) ([]rendered, error) {
	out := make([]rendered, len(jobs))
	for i, j := range jobs {
		out[i].msg, out[i].err = w.render.Render(j.shop, j.mail, j.from)
	}
	return out, nil
}
