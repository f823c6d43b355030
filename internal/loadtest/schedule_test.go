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
	if !strings.Contains(table.String(), "open at 40 requests/s") || !strings.Contains(table.String(), "sent late") {
		t.Fatalf("table does not say the run was open, or how late its requests were sent:\n%s", table.String())
	}
	if l := sc.SentLate; l == nil || l.P50 > sc.Latency.Max {
		t.Fatalf("lateness %+v of an open run beside latency %+v", l, sc.Latency)
	}
	var js strings.Builder
	if err := rep.WriteJSON(&js); err != nil || !strings.Contains(js.String(), `"sent_late"`) {
		t.Fatalf("JSON of an open run without its lateness (%v):\n%s", err, js.String())
	}
}

// A request taken up after it fell due is recorded as late by as much, and
// a closed run records no lateness: one client whose every request takes
// at least 10 ms, in an open run of 1,000 a second, takes up its i-th
// request at least 9·i ms after it was due.
func TestOpenRunRecordsHowLateEachRequestWasTakenUp(t *testing.T) {
	for _, rate := range []float64{1000, 0} {
		b := &bench{cfg: Config{Rate: rate, Duration: 100 * time.Millisecond, Clients: 1}, ips: []*buyerIPs{newBuyerIPs(0, 1)}}
		steps := 0
		workers, elapsed := b.run(context.Background(), func(context.Context, *worker) {
			steps++
			time.Sleep(10 * time.Millisecond)
		})
		sc := summarize(ScenarioRecover, workers, elapsed)
		late := &workers[0].late
		if rate == 0 {
			if late.Count() != 0 || sc.SentLate != nil {
				t.Fatalf("closed run recorded %d late requests (%+v)", late.Count(), sc.SentLate)
			}
			continue
		}
		if steps < 2 || late.Count() != uint64(steps) {
			t.Fatalf("%d requests taken up, %d lateness records", steps, late.Count())
		}
		if least := time.Duration(steps-1) * 9 * time.Millisecond; late.Max() < least {
			t.Fatalf("request %d taken up %v late, at least %v expected", steps, late.Max(), least)
		}
		if sc.SentLate == nil || sc.SentLate.Max < float64(late.Max().Microseconds())/1000-0.001 {
			t.Fatalf("report's lateness %+v, recorded max %v", sc.SentLate, late.Max())
		}
	}
}
