package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/outbox"
)

// startPace runs a Pace over f's store, reading the outbox every
// millisecond unless cfg says otherwise, until the test ends.
func startPace(f *fixture, cfg outbox.PaceConfig) *outbox.Pace {
	f.t.Helper()
	if cfg.Poll == 0 {
		cfg.Poll = time.Millisecond
	}
	cfg.Logger = slog.New(slog.NewTextHandler(f.logs, nil))
	p := outbox.NewPace(f.store, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(ctx)
	}()
	f.t.Cleanup(func() {
		cancel()
		<-done
	})
	return p
}

// queueJob queues a recover job created at created.
func (f *fixture) queueJob(created time.Time) int64 {
	f.t.Helper()
	id, err := f.store.EnqueueJob(context.Background(), storekeep.Job{ShopID: f.shop.ID, Kind: storekeep.JobRecover,
		CreatedAt: created, Recover: storekeep.RecoverRequest{Email: "ada@example.com", IP: "203.0.113.9"}})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// behindPace is a fixture whose outbox holds a recover job due a minute
// ago that nobody claims, and a Pace over it, holding callers up to
// maxHold, once it has found delivery behind.
func behindPace(t *testing.T, maxHold time.Duration) (*fixture, *outbox.Pace) {
	t.Helper()
	f := newFixture(t)
	now := time.Now()
	f.queueJob(now.Add(-time.Minute))
	p := startPace(f, outbox.PaceConfig{Behind: time.Second, MaxHold: maxHold, Now: func() time.Time { return now }})
	eventually(t, "behind", p.Behind)
	return f, p
}

func TestPaceLetsEverythingThroughWhileDeliveryKeepsUp(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	f.queueJob(now.Add(-500 * time.Millisecond))
	p := startPace(f, outbox.PaceConfig{Behind: time.Second, MaxHold: time.Hour, Now: func() time.Time { return now }})
	for range 100 {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	if p.Held() != 0 || p.Behind() {
		t.Errorf("held %d callers (behind %v) for a job due half a second ago; the limit is a second", p.Held(), p.Behind())
	}
}

func TestPaceHoldsCallersUntilTheLateJobIsClaimed(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	f.queueJob(now.Add(-3 * time.Second))
	p := startPace(f, outbox.PaceConfig{Behind: time.Second, MaxHold: time.Hour, Now: func() time.Time { return now }})
	eventually(t, "behind", p.Behind)
	released := make(chan error, 3)
	for range 3 {
		go func() { released <- p.Wait(context.Background()) }()
	}
	eventually(t, "holding three callers", func() bool { return p.Held() == 3 })
	select {
	case err := <-released:
		t.Fatalf("a caller went on while the job was still waiting: %v", err)
	default:
	}
	if _, err := f.store.Claim(context.Background(), now, time.Minute, 10); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := <-released; err != nil {
			t.Fatal(err)
		}
	}
	if p.Behind() {
		t.Error("still behind with the job leased to a worker")
	}
}

func TestPaceHoldsNoCallerLongerThanMaxHold(t *testing.T) {
	_, p := behindPace(t, 10*time.Millisecond)
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p.Held() != 1 || !p.Behind() {
		t.Errorf("held %d, behind %v: want the caller held, then let go with delivery still behind", p.Held(), p.Behind())
	}
}

func TestPaceGivesBackAHeldCallersCancellation(t *testing.T) {
	_, p := behindPace(t, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with its request gone = %v, want context.Canceled", err)
	}
}

// TestPaceIsNotHeldBackByMailWaitingForARetry: an SMTP outage leaves mail
// scheduled for later, which is not due, so answers keep flowing.
func TestPaceIsNotHeldBackByMailWaitingForARetry(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	m := f.mailTo("ada@example.com")
	m.CreatedAt = now.Add(-time.Hour)
	id, err := f.store.EnqueueMail(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.MarkMailRetry(context.Background(), id, now.Add(time.Minute), "421 try later"); err != nil {
		t.Fatal(err)
	}
	p := startPace(f, outbox.PaceConfig{Behind: time.Second, MaxHold: time.Hour, Now: func() time.Time { return now }})
	f.queueJob(now)
	for range 50 {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	if p.Held() != 0 {
		t.Errorf("held %d callers for a mail an hour old that waits for its retry", p.Held())
	}
}

// TestPaceLetsEverythingThroughWhenTheOutboxCannotBeRead: the writes
// that follow would fail anyway; holding them would only add a delay.
func TestPaceLetsEverythingThroughWhenTheOutboxCannotBeRead(t *testing.T) {
	f, p := behindPace(t, time.Hour)
	f.store.Close()
	eventually(t, "caught up", func() bool { return !p.Behind() })
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestPaceWakesAnIdleWorkerBeforeHoldingAnyone: mail that fell due
// between two polls of an idle worker is late, but delivery is not
// behind; the pace wakes the worker and holds no caller.
func TestPaceWakesAnIdleWorkerBeforeHoldingAnyone(t *testing.T) {
	f := newFixture(t)
	w := f.worker(f.smtpSender(), outbox.Config{PollInterval: time.Hour})
	run(t, w)
	m := f.mailTo("ada@example.com")
	m.CreatedAt = time.Now().Add(-time.Minute)
	if _, err := f.store.EnqueueMail(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	p := startPace(f, outbox.PaceConfig{Behind: time.Second, MaxHold: time.Hour, Kick: w.Kick, Poll: 100 * time.Millisecond})
	f.smtp.WaitFor(t, 1, wait)
	eventually(t, "the mail marked sent", func() bool { return f.pending() == 0 })
	if p.Held() != 0 || p.Behind() {
		t.Errorf("held %d callers (behind %v) for a mail an idle worker had not yet polled for", p.Held(), p.Behind())
	}
}

// TestPaceLogsFallingBehindOnceAMinute: under a flood delivery falls
// behind and catches up several times a second; the log says so once.
func TestPaceLogsFallingBehindOnceAMinute(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	p := startPace(f, outbox.PaceConfig{Behind: time.Second, MaxHold: time.Hour, Now: func() time.Time { return now }})
	for round := range 3 {
		f.queueJob(now.Add(-3 * time.Second))
		eventually(t, fmt.Sprintf("behind, round %d", round), p.Behind)
		if _, err := f.store.Claim(context.Background(), now, time.Minute, 10); err != nil {
			t.Fatal(err)
		}
		eventually(t, fmt.Sprintf("caught up, round %d", round), func() bool { return !p.Behind() })
	}
	if n := strings.Count(f.logs.String(), "delivery behind"); n != 1 {
		t.Errorf("%d lines about falling behind in three rounds within a minute, want 1:\n%s", n, f.logs.String())
	}
}

// While it holds callers the Pace reads the outbox every HoldPoll, not
// every Poll: with an hour between ordinary reads, callers held for a late
// job are let through once a worker has claimed it.
func TestPaceReadsEveryHoldPollWhileHolding(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	f.queueJob(now.Add(-time.Minute))
	p := startPace(f, outbox.PaceConfig{Behind: time.Second, Poll: time.Hour, HoldPoll: time.Millisecond,
		MaxHold: time.Hour, Now: func() time.Time { return now }})
	eventually(t, "behind at the first read", p.Behind)
	released := make(chan error, 1)
	go func() { released <- p.Wait(context.Background()) }()
	eventually(t, "holding a caller", func() bool { return p.Held() == 1 })
	if _, err := f.store.Claim(context.Background(), now, time.Minute, 10); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-released:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(wait):
		t.Fatalf("the caller was still held %s after the late job was claimed", wait)
	}
	if p.Behind() {
		t.Error("still behind with the job leased to a worker")
	}
}
