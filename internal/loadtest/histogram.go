package loadtest

import (
	"math"
	"math/bits"
	"time"
)

// subBits sets the histogram's precision: each power of two is split into
// 1<<subBits linear buckets, so a bucket is at most 1/64 of its value wide.
const subBits = 6

const (
	subCount   = 1 << subBits
	numBuckets = (64 - subBits + 1) * subCount
)

// histogram records durations in fixed log-linear buckets, HDR style:
// constant memory whatever the count, about 1.6% relative precision.
type histogram struct {
	counts [numBuckets]uint64
	total  uint64
	max    time.Duration
}

func bucketOf(v uint64) int {
	if v < 2*subCount {
		return int(v)
	}
	shift := bits.Len64(v) - 1 - subBits
	return (shift+1)*subCount + int(v>>shift) - subCount
}

// bucketRange returns the lowest value of bucket i and its width.
func bucketRange(i int) (low, width uint64) {
	if i < 2*subCount {
		return uint64(i), 1
	}
	shift := i/subCount - 1
	return uint64(subCount+i%subCount) << shift, 1 << shift
}

// Record adds one duration; negative ones count as zero.
func (h *histogram) Record(d time.Duration) {
	d = max(d, 0)
	h.counts[bucketOf(uint64(d))]++
	h.total++
	h.max = max(h.max, d)
}

// Merge adds every value o holds.
func (h *histogram) Merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	h.max = max(h.max, o.max)
}

// Count is how many values were recorded.
func (h *histogram) Count() uint64 { return h.total }

// Max is the largest value recorded, exactly.
func (h *histogram) Max() time.Duration { return h.max }

// Quantile returns the value below which a fraction q of the values lie,
// as the middle of its bucket, never above Max; 0 when empty.
func (h *histogram) Quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.total)))
	rank = min(max(rank, 1), h.total)
	var seen uint64
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			low, width := bucketRange(i)
			return min(time.Duration(low+width/2), h.max)
		}
	}
	return h.max
}
