package outbox

import (
	"testing"
	"time"
)

func TestBackoffIsExponentialCappedAndJittered(t *testing.T) {
	base, ceiling := 30*time.Second, 30*time.Minute
	for attempt, want := range map[int]time.Duration{
		1:   30 * time.Second,
		2:   time.Minute,
		3:   2 * time.Minute,
		6:   16 * time.Minute,
		7:   30 * time.Minute,
		40:  30 * time.Minute,
		100: 30 * time.Minute,
	} {
		var most time.Duration
		for range 2000 {
			d := backoff(attempt, base, ceiling)
			if d < 0 || d > want {
				t.Fatalf("attempt %d: backoff %s outside [0, %s]", attempt, d, want)
			}
			most = max(most, d)
		}
		if most < want/2 {
			t.Errorf("attempt %d: 2000 draws all below %s, want spread up to %s", attempt, want/2, want)
		}
	}
}
