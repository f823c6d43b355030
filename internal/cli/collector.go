package cli

import (
	"runtime/debug"
	"strconv"
)

// serveGCPercent is the collector's target heap growth that serve sets
// when GOGC is not in its environment: a collection starts once the heap
// has grown by 150 % of what the last one left live, against Go's 100 %.
// A node's live heap is small (tens of MiB), so under a recover flood the
// larger target costs 1–9 MiB at the peak and saves 3–9 % of the node's
// CPU (BENCHMARKS.md, "The collector's target").
const serveGCPercent = 150

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
