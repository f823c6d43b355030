package outbox

import (
	"context"
	"slices"
	"time"

	"github.com/storekeep/storekeep"
)

// Reserve holds a place of the worker's batch for a job of kind that the
// caller is about to queue leased to this worker
// (storekeep.Job.LeasedUntil), and returns the lease. ok is false, and the
// job is then queued for a claim as any other, unless the worker is
// running, runs batches of kind and has a free place beyond those kept for
// claims: a quarter of its batch, at least one, so that the rows that wait
// for a claim (jobs queued when no place was free, retries, invitations,
// other nodes' rows once their lease runs out) are claimed at the next
// wake whatever the jobs taken. A reservation ends in Take once the job's
// row is committed, or in Unreserve when it is not.
func (w *Worker) Reserve(kind storekeep.JobKind) (leaseUntil time.Time, ok bool) {
	if _, batched := w.cfg.Batches[kind]; !batched || !w.running.Load() {
		return time.Time{}, false
	}
	limit := int64(w.takeLimit())
	for {
		busy := w.busy.Load()
		if busy >= limit {
			return time.Time{}, false
		}
		if w.busy.CompareAndSwap(busy, busy+1) {
			return w.cfg.Now().Add(w.cfg.Lease), true
		}
	}
}

// takeLimit is how many places of the worker's batch Reserve may hold:
// all but those kept for claims, a quarter of the batch, at least one.
func (w *Worker) takeLimit() int { return w.cfg.Batch - max(1, w.cfg.Batch/4) }

// fullTake is how many jobs taken run without waiting out the wake delay:
// a batch (JobBatch), or as many as Reserve may hold places for, if fewer.
// A take of one batch, not two, halves the burst of writes, renders and
// sends that the answers share the CPUs and SQLite's writer with: at half
// the rate the answers' p99 fell from 25–29 to 15 ms, the rate at
// full load and the one-connection tail unchanged (BENCHMARKS.md, "A take
// of one batch").
func (w *Worker) fullTake() int { return min(w.cfg.JobBatch, w.takeLimit()) }

// Unreserve gives back the place Reserve held for a job that was not
// queued.
func (w *Worker) Unreserve() { w.release(1) }

// Take hands the worker j, queued leased to it in the place Reserve held,
// with its ID: j runs as its row's first attempt with the jobs taken
// within the wake delay after the first of them, once that delay has
// passed or they fill a batch (fullTake), whatever wakes the worker
// before: never right behind the answer that queued it alone. Its row is
// never claimed meanwhile, which saves the claim's write. A job taken once
// the worker has stopped runs in Flush, or else once its lease runs out,
// as a claimed one whose node stopped.
func (w *Worker) Take(j storekeep.Job) {
	j.Attempts = 1
	w.takenMu.Lock()
	defer w.takenMu.Unlock()
	if len(w.taken) == 0 {
		w.takenAt = time.Now()
		time.AfterFunc(w.cfg.WakeDelay, w.Kick)
	}
	w.taken = append(w.taken, j)
	if len(w.taken) == w.fullTake() {
		w.Kick()
	}
}

// takeDue returns the jobs taken, once the wake delay has passed since the
// first of them or they number fullTake, or every one when all is set.
func (w *Worker) takeDue(all bool) []storekeep.Job {
	w.takenMu.Lock()
	defer w.takenMu.Unlock()
	if !all && len(w.taken) < w.fullTake() && time.Since(w.takenAt) < w.cfg.WakeDelay {
		return nil
	}
	jobs := w.taken
	w.taken = nil
	return jobs
}

// runJobs runs jobs, which hold a place of the batch each, in batches of
// their kind of at most JobBatch jobs, each batch on runs.
func (w *Worker) runJobs(ctx context.Context, jobs []storekeep.Job, runs *runner) {
	if len(jobs) == 0 {
		return
	}
	byKind := map[storekeep.JobKind][]storekeep.Job{}
	for _, j := range jobs {
		byKind[j.Kind] = append(byKind[j.Kind], j)
	}
	for kind, jobs := range byKind {
		for part := range slices.Chunk(jobs, w.cfg.JobBatch) {
			runs.Go(func() { w.runBatch(ctx, w.cfg.Batches[kind], part, runs) })
		}
	}
}
