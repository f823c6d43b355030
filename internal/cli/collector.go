package cli

import (
	"runtime"
	"runtime/debug"
	"strconv"

	"github.com/storekeep/storekeep/internal/collector"
)

// serveGCPercent is the collector's target heap growth that serve sets
// when GOGC is not in its environment: a collection starts once the heap
// has grown by 150 % of what the last one left live, against Go's 100 %.
// A node's live heap is small (tens of MiB), so under a recover flood the
// larger target costs 1–9 MiB at the peak and saves 3–9 % of the node's
// CPU (BENCHMARKS.md, "The collector's target").
const serveGCPercent = 150

// serveMemoryLimitMiB is --memory-limit's default: the Go memory, in MiB,
// that serve keeps the node near while its live heap allows
// (BENCHMARKS.md, "A soft memory limit that follows the live heap").
const serveMemoryLimitMiB = 40

// tuneCollector sets the collector's target to serveGCPercent unless the
// environment sets GOGC, which the runtime has read already and which
// then stands, and returns the target in force as GOGC spells it.
func tuneCollector(getenv func(string) string) string {
	if v := getenv("GOGC"); v != "" {
		return v
	}
	debug.SetGCPercent(serveGCPercent)
	return strconv.Itoa(serveGCPercent)
}

// limitMemory keeps a collector.SoftLimit of floorMiB while serve runs,
// unless floorMiB is 0 or the environment sets GOMEMLIMIT, whose limit
// then stands. Without pprof it also stops the heap profile's sampling,
// which nothing would read. It returns what undoes both and the limit in
// force as it is logged.
func limitMemory(getenv func(string) string, floorMiB int, pprof bool) (undo func(), limit string) {
	rate := runtime.MemProfileRate
	if !pprof {
		runtime.MemProfileRate = 0
	}
	undoRate := func() { runtime.MemProfileRate = rate }
	switch env := getenv("GOMEMLIMIT"); {
	case env != "":
		return undoRate, "GOMEMLIMIT=" + env
	case floorMiB == 0:
		return undoRate, "off"
	}
	soft := collector.Start(int64(floorMiB) << 20)
	return func() { soft.Stop(); undoRate() }, strconv.Itoa(floorMiB) + " MiB, or what the live heap needs"
}
