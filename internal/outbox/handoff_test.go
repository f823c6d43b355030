package outbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/outbox"
	"github.com/storekeep/storekeep/internal/store/sqlite"
)

// claimLog is the fixture's store with every job a claim returns noted.
type claimLog struct {
	*sqlite.Store
	mu   sync.Mutex
	jobs map[int64]bool
}

func (c *claimLog) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) (storekeep.Claimed, error) {
	got, err := c.Store.Claim(ctx, now, lease, limit)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, j := range got.Jobs {
		c.jobs[j.ID] = true
	}
	return got, err
}

func (c *claimLog) claimed(id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.jobs[id]
}

// ranJobs is a JobBatch that marks its jobs done and notes them.
type ranJobs struct {
	store *sqlite.Store
	mu    sync.Mutex
	jobs  map[int64]storekeep.Job
}

func (r *ranJobs) batch(ctx context.Context, jobs []storekeep.Job, _ time.Time) ([]storekeep.Mail, error) {
	ids := make([]int64, len(jobs))
	r.mu.Lock()
	for i, j := range jobs {
		ids[i] = j.ID
		r.jobs[j.ID] = j
	}
	r.mu.Unlock()
	_, err := r.store.MarkMailsSent(ctx, ids, time.Now())
	return nil, err
}

func (r *ranJobs) ran(id int64) (storekeep.Job, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	j, ok := r.jobs[id]
	return j, ok
}

// handoffWorker is a worker over f's store, with its claims logged, whose
// recover jobs run in ran's batches.
func handoffWorker(f *fixture, cfg outbox.Config) (*outbox.Worker, *claimLog, *ranJobs) {
	f.t.Helper()
	log := &claimLog{Store: f.store, jobs: map[int64]bool{}}
	ran := &ranJobs{store: f.store, jobs: map[int64]storekeep.Job{}}
	cfg.Batches = map[storekeep.JobKind]outbox.JobBatch{storekeep.JobRecover: ran.batch}
	return f.workerOver(log, f.smtpSender(), cfg), log, ran
}

// handOver reserves a place of w, queues a recover job for to leased to w
// and hands it over, as a private-mode customerRecover does.
func handOver(f *fixture, w *outbox.Worker, to string) storekeep.Job {
	f.t.Helper()
	j := storekeep.Job{ShopID: f.shop.ID, Kind: storekeep.JobRecover, CreatedAt: time.Now(),
		Recover: storekeep.RecoverRequest{Email: to, IP: "203.0.113.5"}}
	var ok bool
	if j.LeasedUntil, ok = w.Reserve(j.Kind); !ok {
		f.t.Fatalf("no place reserved for %s", to)
	}
	id, err := f.store.EnqueueJob(context.Background(), j)
	if err != nil {
		w.Unreserve()
		f.t.Fatal(err)
	}
	j.ID = id
	w.Take(j)
	return j
}

// untilTaking waits until w, started, takes recover jobs.
func untilTaking(t *testing.T, w *outbox.Worker) {
	t.Helper()
	eventually(t, "the worker to take jobs", func() bool {
		_, ok := w.Reserve(storekeep.JobRecover)
		if ok {
			w.Unreserve()
		}
		return ok
	})
}

// TestATakenJobRunsOnItsFirstAttemptWithoutAClaim shows that a job handed
// to the worker runs with its payload as queued, on its row's first
// attempt, that no claim ever takes its row, and that it runs no sooner
// than the wake delay: never right behind the answer that queued it.
func TestATakenJobRunsOnItsFirstAttemptWithoutAClaim(t *testing.T) {
	f := newFixture(t)
	const delay = 150 * time.Millisecond
	w, claims, ran := handoffWorker(f, outbox.Config{PollInterval: 20 * time.Millisecond, WakeDelay: delay})
	run(t, w)
	untilTaking(t, w)
	taken := time.Now()
	j := handOver(f, w, "ana@example.com")
	var got storekeep.Job
	eventually(t, "the job to run", func() bool {
		var ok bool
		got, ok = ran.ran(j.ID)
		return ok
	})
	if waited := time.Since(taken); waited < delay {
		t.Errorf("the job ran %s after it was taken, before the wake delay of %s", waited, delay)
	}
	if got.Attempts != 1 || got.Recover != j.Recover || got.ShopID != f.shop.ID {
		t.Errorf("ran %+v, want %+v on attempt 1", got, j)
	}
	eventually(t, "the outbox to empty", func() bool { return f.pending() == 0 })
	if claims.claimed(j.ID) {
		t.Errorf("job %d was claimed; a taken job's row is leased to the worker that took it", j.ID)
	}
}

// TestAFullBatchOfTakenJobsRunsWithoutWaiting shows that the jobs taken
// run as soon as they fill a batch (JobBatch of them), however long the
// wake delay: at a high rate the delay would only hold full batches back,
// and the jobs beyond the places held for them would wait for a claim.
func TestAFullBatchOfTakenJobsRunsWithoutWaiting(t *testing.T) {
	f := newFixture(t)
	w, _, ran := handoffWorker(f, outbox.Config{PollInterval: time.Hour, WakeDelay: time.Hour, Batch: 16, JobBatch: 4})
	run(t, w)
	untilTaking(t, w)
	var jobs []storekeep.Job
	for i := range 3 {
		jobs = append(jobs, handOver(f, w, fmt.Sprintf("ana%d@example.com", i)))
	}
	for _, j := range jobs {
		if _, ok := ran.ran(j.ID); ok {
			t.Fatalf("job %d ran with 3 jobs taken, batches of 4 and the wake delay an hour away", j.ID)
		}
	}
	jobs = append(jobs, handOver(f, w, "ana3@example.com"))
	for _, j := range jobs {
		eventually(t, "the batch's jobs to run", func() bool {
			_, ok := ran.ran(j.ID)
			return ok
		})
	}
}

// TestReserveKeepsPlacesForClaims shows that the worker takes jobs only
// while it runs, only of kinds it runs in batches, and only into places
// beyond the quarter of its batch kept for claims, and that Unreserve
// gives a place back.
func TestReserveKeepsPlacesForClaims(t *testing.T) {
	f := newFixture(t)
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	w, _, _ := handoffWorker(f, outbox.Config{PollInterval: time.Hour, WakeDelay: time.Hour, Batch: 8,
		Lease: 90 * time.Second, Now: func() time.Time { return now }})
	if _, ok := w.Reserve(storekeep.JobRecover); ok {
		t.Fatal("a place was reserved before the worker ran")
	}
	run(t, w)
	eventually(t, "the worker to run", func() bool {
		lease, ok := w.Reserve(storekeep.JobRecover)
		if ok && !lease.Equal(now.Add(90*time.Second)) {
			t.Fatalf("lease until %v, want now plus the lease, %v", lease, now.Add(90*time.Second))
		}
		return ok
	})
	if _, ok := w.Reserve(storekeep.JobInvite); ok {
		t.Error("a place was reserved for a kind the worker does not run in batches")
	}
	for i := 1; i < 6; i++ {
		if _, ok := w.Reserve(storekeep.JobRecover); !ok {
			t.Fatalf("reservation %d of 6 refused", i+1)
		}
	}
	if _, ok := w.Reserve(storekeep.JobRecover); ok {
		t.Fatal("a seventh place of 8 was reserved; two are kept for claims")
	}
	w.Unreserve()
	if _, ok := w.Reserve(storekeep.JobRecover); !ok {
		t.Fatal("the place given back was not reserved again")
	}
}

// TestJobsTakenAsTheWorkerStopsStillRun shows that a job taken before the
// worker's wake is run as Run stops, and one taken after Run has returned
// is run by Flush, as a shutting-down server calls it.
func TestJobsTakenAsTheWorkerStopsStillRun(t *testing.T) {
	f := newFixture(t)
	w, _, ran := handoffWorker(f, outbox.Config{PollInterval: time.Hour, WakeDelay: time.Hour})
	cancel, wait := run(t, w)
	untilTaking(t, w)
	early := handOver(f, w, "ana@example.com")
	lease, ok := w.Reserve(storekeep.JobRecover)
	if !ok {
		t.Fatal("no place reserved")
	}
	cancel()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if _, ok := ran.ran(early.ID); !ok {
		t.Fatal("the job taken before the worker stopped did not run")
	}
	late := storekeep.Job{ShopID: f.shop.ID, Kind: storekeep.JobRecover, CreatedAt: time.Now(), LeasedUntil: lease,
		Recover: storekeep.RecoverRequest{Email: "bo@example.com"}}
	id, err := f.store.EnqueueJob(context.Background(), late)
	if err != nil {
		t.Fatal(err)
	}
	late.ID = id
	w.Take(late)
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := ran.ran(late.ID); !ok {
		t.Fatal("the job taken after the worker stopped did not run in Flush")
	}
	if n := f.pending(); n != 0 {
		t.Fatalf("%d rows still pending", n)
	}
}
