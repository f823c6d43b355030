package collector

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

const mib = 1 << 20

func TestLimitIsTheFloorUntilTheLiveHeapNeedsMore(t *testing.T) {
	for _, tc := range []struct {
		name                string
		floor               int64
		live, outside, want uint64
	}{
		{"small live heap", 40 * mib, 10 * mib, 8 * mib, 40 * mib},
		{"live heap under the floor", 40 * mib, 16 * mib, 6 * mib, 40 * mib},
		{"live heap past the floor", 40 * mib, 64 * mib, 8 * mib, 108 * mib},
		{"memory outside the heap counts", 40 * mib, 16 * mib, 16 * mib, 41 * mib},
		{"no floor", 0, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Limit(tc.floor, tc.live, tc.outside); got != int64(tc.want) {
				t.Fatalf("Limit(%d MiB, live %d MiB, outside %d MiB) = %.2f MiB, want %.2f MiB",
					tc.floor/mib, tc.live/mib, tc.outside/mib, float64(got)/mib, float64(tc.want)/mib)
			}
		})
	}
}

// softLimit reads the runtime's soft memory limit.
func softLimit() int64 { return debug.SetMemoryLimit(-1) }

// waitForLimit collects until the limit in force satisfies ok, as the
// limit is set again by a cleanup that runs after a collection.
func waitForLimit(t *testing.T, ok func(int64) bool) int64 {
	t.Helper()
	for range 200 {
		runtime.GC()
		if l := softLimit(); ok(l) {
			return l
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("soft limit stayed at %.1f MiB", float64(softLimit())/mib)
	return 0
}

func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// churn allocates n bytes of garbage in 32 KiB pieces and returns how many
// collections ran meanwhile.
func churn(n int) uint64 {
	before := gcCycles()
	var keep []byte
	for range n / (32 << 10) {
		keep = make([]byte, 32<<10)
		keep[0] = 1
	}
	runtime.KeepAlive(keep)
	return gcCycles() - before
}

func TestStartSetsTheFloorAndStopGivesBackThePreviousLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(1 << 40))
	s := Start(512 * mib)
	if got := softLimit(); got != 512*mib {
		t.Fatalf("limit after Start: %.1f MiB, want the floor, 512 MiB", float64(got)/mib)
	}
	waitForLimit(t, func(l int64) bool { return l == 512*mib })
	s.Stop()
	if got := softLimit(); got != 1<<40 {
		t.Fatalf("limit after Stop: %d, want the one before Start, 1 TiB", got)
	}
	s.collected()
	if got := softLimit(); got != 1<<40 {
		t.Fatalf("a cleanup after Stop set the limit to %d", got)
	}
}

// TestALiveHeapPastTheFloorDoesNotMakeTheCollectorRunBackToBack is the
// attack on a soft limit: a client makes the node hold more live than the
// floor (rate limiter keys, request bodies). Under a fixed limit the
// collector then runs without pause; under SoftLimit it runs about as
// often as GOGC 50 makes it, twice as often as Go's default.
func TestALiveHeapPastTheFloorDoesNotMakeTheCollectorRunBackToBack(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	live := make([][]byte, 32)
	for i := range live {
		live[i] = make([]byte, mib)
		live[i][0] = 1
	}
	const garbage = 512 * mib
	atPace := churn(garbage)

	debug.SetMemoryLimit(8 * mib)
	fixed := churn(garbage)
	debug.SetMemoryLimit(math.MaxInt64)

	s := Start(8 * mib)
	defer s.Stop()
	waitForLimit(t, func(l int64) bool { return l >= 48*mib })
	guarded := churn(garbage)
	runtime.KeepAlive(live)

	t.Logf("collections over %d MiB of garbage with 32 MiB live: GOGC 100 alone %d, a fixed 8 MiB limit %d, SoftLimit of floor 8 MiB %d",
		garbage/mib, atPace, fixed, guarded)
	if fixed < 6*atPace {
		t.Fatalf("a fixed limit under the live heap ran %d collections against %d at GOGC 100: the attack did not show", fixed, atPace)
	}
	if guarded > 3*atPace {
		t.Fatalf("SoftLimit ran %d collections against %d at GOGC 100: the collector ran back to back", guarded, atPace)
	}
}

func TestALimitIsHeldUntilALargerOneOrHoldForPasses(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	s := &SoftLimit{}
	for _, step := range []struct {
		at          time.Duration
		asked, want int64
	}{
		{0, 60 * mib, 60 * mib},
		{time.Second, 40 * mib, 60 * mib},
		{2 * time.Second, 80 * mib, 80 * mib},
		{11 * time.Second, 40 * mib, 80 * mib},
		{12 * time.Second, 40 * mib, 40 * mib},
		{13 * time.Second, 50 * mib, 50 * mib},
		{10 * time.Second, 45 * mib, 45 * mib},
	} {
		if got := s.hold(t0.Add(step.at), step.asked); got != step.want {
			t.Fatalf("at %s asked %d MiB: limit %d MiB, want %d MiB", step.at, step.asked/mib, got/mib, step.want/mib)
		}
	}
}
