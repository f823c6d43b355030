package loadtest

import (
	"math"
	"testing"
	"time"
)

func TestHistogramQuantilesAreWithinItsPrecision(t *testing.T) {
	var h histogram
	for i := 1; i <= 10000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	for q, want := range map[float64]float64{0.5: 5000, 0.9: 9000, 0.95: 9500, 0.99: 9900} {
		got := float64(h.Quantile(q)) / 1e3
		if math.Abs(got-want)/want > 1.0/64 {
			t.Errorf("p%v = %.0fµs, want %.0fµs", q*100, got, want)
		}
	}
	if h.Max() != 10*time.Millisecond || h.Count() != 10000 {
		t.Errorf("max %v count %d", h.Max(), h.Count())
	}
	var merged histogram
	merged.Merge(&h)
	merged.Merge(&h)
	merged.Record(-time.Second)
	if merged.Count() != 20001 || merged.Quantile(0) != 0 || merged.Quantile(1) != 10*time.Millisecond {
		t.Errorf("merged: count %d, min %v, max %v", merged.Count(), merged.Quantile(0), merged.Quantile(1))
	}
	var empty histogram
	if empty.Quantile(0.5) != 0 {
		t.Error("empty histogram has a median")
	}
}

func TestLatencyReportsEachPercentileInMilliseconds(t *testing.T) {
	var h histogram
	for i := 1; i <= 10000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	l := latencyOf(&h)
	for name, c := range map[string]struct{ got, want float64 }{
		"p50": {l.P50, 5}, "p90": {l.P90, 9}, "p95": {l.P95, 9.5}, "p99": {l.P99, 9.9}, "max": {l.Max, 10},
	} {
		if math.Abs(c.got-c.want)/c.want > 1.0/64 {
			t.Errorf("%s = %.3fms, want %.3fms", name, c.got, c.want)
		}
	}
}

func TestBucketsCoverEveryValueInOrder(t *testing.T) {
	prev := -1
	for _, v := range []uint64{0, 1, 127, 128, 129, 1 << 20, 1<<20 + 1, 1<<40 - 1, math.MaxUint64} {
		i := bucketOf(v)
		low, width := bucketRange(i)
		if i < prev || i >= numBuckets || v < low || v-low >= width {
			t.Errorf("%d: bucket %d [%d, +%d)", v, i, low, width)
		}
		prev = i
	}
}
