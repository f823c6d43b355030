package cli

import (
	"path/filepath"
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
