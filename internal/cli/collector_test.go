package cli

import (
	"math"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

// gcPercent reads the collector's target heap growth in force.
func gcPercent() uint64 {
	sample := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

func TestServeRaisesTheCollectorTargetUnlessGOGCIsSet(t *testing.T) {
	prev := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(prev) })
	for _, tc := range []struct {
		name string
		gogc string
		want uint64
	}{
		{"GOGC unset", "", serveGCPercent},
		{"GOGC set", "100", 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetGCPercent(100)
			env := map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db"), "STOREKEEP_ADDR": "127.0.0.1:0",
				"STOREKEEP_LOG_LEVEL": "warn", "GOGC": tc.gogc}
			serveInProcess(t, env)
			if got := gcPercent(); got != tc.want {
				t.Fatalf("collector target with GOGC=%q: %d %%, want %d %%", tc.gogc, got, tc.want)
			}
		})
	}
}

func TestServeKeepsASoftMemoryLimitUnlessGOMEMLIMITIsSet(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	rate := runtime.MemProfileRate
	for _, tc := range []struct {
		name      string
		gomem     string
		flags     []string
		floor     int64
		profiling bool
	}{
		{"default", "", nil, serveMemoryLimitMiB << 20, false},
		{"--memory-limit 64", "", []string{"--memory-limit", "64"}, 64 << 20, false},
		{"--memory-limit 0", "", []string{"--memory-limit", "0"}, 0, false},
		{"GOMEMLIMIT set", "1GiB", nil, 0, false},
		{"--pprof", "", []string{"--pprof"}, serveMemoryLimitMiB << 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"STOREKEEP_DB": filepath.Join(t.TempDir(), "sk.db"), "STOREKEEP_ADDR": "127.0.0.1:0",
				"STOREKEEP_LOG_LEVEL": "warn", "GOMEMLIMIT": tc.gomem}
			_, stop := serveUntilStopped(t, env, tc.flags...)
			got := debug.SetMemoryLimit(-1)
			switch {
			case tc.floor == 0 && got != math.MaxInt64:
				t.Errorf("soft limit %d while serving, want the runtime's own (none)", got)
			case tc.floor != 0 && (got < tc.floor || got == math.MaxInt64):
				t.Errorf("soft limit %.1f MiB while serving, want at least %d MiB", float64(got)/(1<<20), tc.floor>>20)
			}
			if profiling := runtime.MemProfileRate != 0; profiling != tc.profiling {
				t.Errorf("heap profile sampling while serving: %v (rate %d), want %v", profiling, runtime.MemProfileRate, tc.profiling)
			}
			stop()
			if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
				t.Errorf("soft limit after serve stopped: %d, want the one before it (none)", got)
			}
			if runtime.MemProfileRate != rate {
				t.Errorf("heap profile rate after serve stopped: %d, want %d", runtime.MemProfileRate, rate)
			}
		})
	}
}
