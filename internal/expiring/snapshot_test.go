package expiring

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSnapshotReadsAtMostOnceAPeriod(t *testing.T) {
	s := NewSnapshot[int](10 * time.Second)
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	reads, fail := 0, false
	read := func(context.Context) (int, error) {
		if fail {
			return 0, errors.New("down")
		}
		reads++
		return reads, nil
	}
	for _, step := range []struct {
		at        time.Duration
		fail      bool
		want      int
		wantErr   bool
		wantReads int
	}{
		{0, false, 1, false, 1},
		{9 * time.Second, false, 1, false, 1},
		{10 * time.Second, false, 2, false, 2},
		{5 * time.Second, false, 3, false, 3}, // the clock stepped back
		{30 * time.Second, true, 0, true, 3},
		{31 * time.Second, false, 4, false, 4},
	} {
		fail = step.fail
		got, err := s.Read(context.Background(), t0.Add(step.at), read)
		if got != step.want || (err != nil) != step.wantErr || reads != step.wantReads {
			t.Fatalf("at %v: %d, %v after %d reads; want %d, error %v, %d reads", step.at, got, err, reads, step.want, step.wantErr, step.wantReads)
		}
	}
	s.Replace(func(v int) int { return v * 10 })
	if got, _ := s.Read(context.Background(), t0.Add(32*time.Second), read); got != 40 || reads != 4 {
		t.Fatalf("after Replace: %d with %d reads, want 40 without a read", got, reads)
	}
	empty := NewSnapshot[int](time.Second)
	empty.Replace(func(int) int { return 7 })
	if got, _ := empty.Read(context.Background(), t0, read); got != 5 {
		t.Fatalf("Replace of an empty snapshot held %d, want it to hold nothing and read 5", got)
	}
}
