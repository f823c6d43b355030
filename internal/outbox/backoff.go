package outbox

import (
	"math/rand/v2"
	"time"
)

// backoff is the wait after the given failed attempt (1 for the first):
// exponential, capped, with full jitter.
func backoff(attempt int, base, ceiling time.Duration) time.Duration {
	limit := ceiling
	if shift := attempt - 1; shift >= 0 && shift < 63 && base <= ceiling>>shift {
		limit = base << shift
	}
	return rand.N(limit + 1)
}
