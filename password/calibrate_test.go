package password

import (
	"testing"
	"time"
)

func TestCalibrateStaysWithinBounds(t *testing.T) {
	p, took, err := Calibrate(time.Nanosecond, MinMemory)
	if err != nil {
		t.Fatal(err)
	}
	if p != (Params{Memory: MinMemory, Time: 1, Threads: 1}) || took <= 0 {
		t.Fatalf("an unreachable target gave %v in %v, want the floor", p, took)
	}

	p, _, err = Calibrate(time.Hour, MinMemory)
	if err != nil {
		t.Fatal(err)
	}
	if p != (Params{Memory: MinMemory, Time: MaxTime, Threads: 1}) {
		t.Fatalf("a generous target gave %v, want m=%d and the most passes", p, MinMemory)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestCalibrateRejectsBadInput(t *testing.T) {
	if _, _, err := Calibrate(time.Second, MinMemory-1); err == nil {
		t.Error("memory limit below the minimum accepted")
	}
	if _, _, err := Calibrate(0, MinMemory); err == nil {
		t.Error("zero target accepted")
	}
}
