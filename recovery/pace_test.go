package recovery_test

import (
	"context"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/outbox"
	"github.com/storekeep/storekeep/recovery"
)

// behind gives f's service a real outbox.Pace over f's store, with a
// recover job queued three seconds before f's clock that nobody claims:
// delivery is behind, and the pace holds recovers until the job is
// claimed.
func (f *fixture) behind() *outbox.Pace {
	f.t.Helper()
	if _, err := f.store.EnqueueJob(f.ctx, storekeep.Job{ShopID: f.shop.ID, Kind: storekeep.JobRecover,
		CreatedAt: f.now.Add(-3 * time.Second), Recover: storekeep.RecoverRequest{Email: "late@example.com"}}); err != nil {
		f.t.Fatal(err)
	}
	pace := outbox.NewPace(f.store, outbox.PaceConfig{Behind: time.Second, Poll: time.Millisecond, MaxHold: time.Hour,
		Now: func() time.Time { return f.now }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		pace.Run(ctx)
	}()
	f.t.Cleanup(func() {
		cancel()
		<-done
	})
	f.eventually("the pace behind", pace.Behind)
	f.deps.Pace = pace
	f.svc = recovery.New(f.deps, f.cfg)
	return pace
}

func (f *fixture) eventually(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			f.t.Fatalf("still not %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func (f *fixture) pending() int {
	f.t.Helper()
	n, _, err := f.store.OutboxStats(f.ctx, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// TestRecoverIsHeldWhileDeliveryIsBehindBeforeWritingAnything: in both
// enumeration modes, a recover of a customer's address and one of an
// unknown address are held alike, write nothing while held, and finish
// once the late work is claimed.
func TestRecoverIsHeldWhileDeliveryIsBehindBeforeWritingAnything(t *testing.T) {
	for _, mode := range []storekeep.Enumeration{storekeep.EnumerationPrivate, storekeep.EnumerationShopify} {
		t.Run(string(mode), func(t *testing.T) {
			f := newFixture(t, mode, recovery.Config{})
			f.customer("ada@example.com", storekeep.CustomerEnabled)
			pace := f.behind()
			results := make(chan error, 2)
			for _, email := range []string{"ada@example.com", "nobody@example.com"} {
				go func() { results <- f.svc.Recover(f.ctx, f.shop, email, caller) }()
			}
			f.eventually("holding both recovers", func() bool { return pace.Held() == 2 })
			if n, events := f.pending(), len(f.audits()); n != 1 || events != 0 {
				t.Fatalf("while held: %d rows pending, %d audit events; want the late job alone", n, events)
			}
			f.claim()
			var codes []storekeep.Code
			for range 2 {
				codes = append(codes, code(<-results))
			}
			want := 0
			if mode == storekeep.EnumerationShopify {
				want = 1
			}
			unidentified := 0
			for _, c := range codes {
				if c == storekeep.CodeUnidentifiedCustomer {
					unidentified++
				} else if c != "" {
					t.Errorf("answer %q", c)
				}
			}
			if unidentified != want {
				t.Errorf("answers %v, want %d UNIDENTIFIED_CUSTOMER", codes, want)
			}
			written := len(f.audits())
			if mode == storekeep.EnumerationPrivate {
				written = f.pending() - 1
			}
			if written != 2 {
				t.Errorf("%d recovers written after release (jobs in private mode, audit events in shopify mode), want 2", written)
			}
		})
	}
}

// TestThrottledRecoverIsNotHeld: the throttles answer first; a client
// over its allowance is refused at once, not held.
func TestThrottledRecoverIsNotHeld(t *testing.T) {
	f := newFixture(t, storekeep.EnumerationPrivate, recovery.Config{RecoverPerEmail: storekeep.Limit{Count: 1, Per: time.Hour}})
	pace := f.behind()
	done := make(chan error, 1)
	go func() { done <- f.svc.Recover(f.ctx, f.shop, "ada@example.com", caller) }()
	f.eventually("holding the first recover", func() bool { return pace.Held() == 1 })
	if err := f.svc.Recover(f.ctx, f.shop, "ada@example.com", caller); code(err) != storekeep.CodeThrottled {
		t.Errorf("second recover of the address = %v, want THROTTLED at once", err)
	}
	if pace.Held() != 1 {
		t.Errorf("held %d, want the first recover alone", pace.Held())
	}
	f.claim()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
