package loadtest

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"
)

// An open schedule whose start has passed hands out every request due
// before the stop, each at start + k/rate, without waiting, then no more.
func TestOpenScheduleDuesEachRequestAtItsTime(t *testing.T) {
	start := time.Now().Add(-time.Hour)
	s := newSchedule(start, time.Second, 40)
	for k := range 40 {
		due, ok := s.next(context.Background())
		if want := start.Add(time.Duration(k) * 25 * time.Millisecond); !ok || !due.Equal(want) {
			t.Fatalf("request %d: due %v (ok %v), want %v", k, due.Sub(start), ok, want.Sub(start))
		}
	}
	if due, ok := s.next(context.Background()); ok {
		t.Fatalf("a 41st request of a 1 s run at 40/s, due at %v", due.Sub(start))
	}
}

func TestOpenScheduleStopsWaitingWhenCancelled(t *testing.T) {
	s := newSchedule(time.Now().Add(time.Hour), 2*time.Hour, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, ok := s.next(ctx); ok {
		t.Fatal("a request an hour away was handed out after its run was cancelled")
	}
}

func TestClosedScheduleRunsUntilTheStop(t *testing.T) {
	if _, ok := newSchedule(time.Now(), time.Hour, 0).next(context.Background()); !ok {
		t.Fatal("closed schedule inside its run handed out nothing")
	}
	if _, ok := newSchedule(time.Now().Add(-time.Hour), time.Minute, 0).next(context.Background()); ok {
		t.Fatal("closed schedule past its stop handed out a request")
	}
}

func TestConfigRefusesARateItCannotKeep(t *testing.T) {
	for _, rate := range []float64{-1, math.NaN(), math.Inf(1), MaxRate + 1} {
		cfg := DefaultConfig()
		cfg.Token, cfg.Rate = "t", rate
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "--rate") {
			t.Errorf("rate %v: %v", rate, err)
		}
	}
	cfg := DefaultConfig()
	cfg.Token, cfg.Rate = "t", 0.5
	if err := cfg.Validate(); err != nil {
		t.Errorf("rate 0.5: %v", err)
	}
}

// An open run against a real node sends exactly the requests that fell
// due, whatever the node's pace, and reports its rate.
func TestOpenRunSendsEveryRequestThatFellDue(t *testing.T) {
	n := startNode(t)
	cfg := n.config(ScenarioRecover)
	cfg.Rate = 40
	rep := runConfig(t, n, cfg)
	sc := rep.Scenarios[0]
	if want := int64(cfg.Rate * cfg.Duration.Seconds()); sc.Requests != want || sc.Counts.Errors != 0 {
		t.Fatalf("%d requests (%+v) in an open run of %s at %g/s; want %d", sc.Requests, sc.Counts, cfg.Duration, cfg.Rate, want)
	}
	if m := sc.Mail; m == nil || m.Delivered != sc.Counts.OK || m.Missing != 0 {
		t.Fatalf("mail %+v for %+v", m, sc.Counts)
	}
	var table strings.Builder
	rep.WriteTable(&table)
	if !strings.Contains(table.String(), "open at 40 requests/s") {
		t.Fatalf("table does not say the run was open:\n%s", table.String())
	}
}
