package password

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/argon2"
)

// Calibrate suggests Params whose hash takes at most about target on this
// machine: one thread, the most memory up to maxMemoryKiB (halved until a
// single pass fits target, but never below MinMemory), then as many passes
// as fit, up to MaxTime. It returns the Params and the time one hash took
// with them (the best of three runs). Calibrate uses the CPU for several
// seconds at large memory sizes; run it on an idle machine.
func Calibrate(target time.Duration, maxMemoryKiB uint32) (Params, time.Duration, error) {
	if target <= 0 {
		return Params{}, 0, errors.New("password: calibration target must be positive")
	}
	if maxMemoryKiB < MinMemory {
		return Params{}, 0, fmt.Errorf("password: memory limit %d KiB below the minimum %d KiB", maxMemoryKiB, MinMemory)
	}
	p := Params{Memory: min(maxMemoryKiB, MaxMemory), Time: 1, Threads: 1}
	took := measure(p)
	for took > target && p.Memory > MinMemory {
		p.Memory = max(p.Memory/2, MinMemory)
		took = measure(p)
	}
	if passes := min(target/took, MaxTime); passes > 1 {
		p.Time = uint32(passes)
		took = measure(p)
		for took > target && p.Time > 1 {
			p.Time--
			took = measure(p)
		}
	}
	return p, took, nil
}

func measure(p Params) time.Duration {
	salt := make([]byte, SaltLen)
	best := time.Duration(1<<63 - 1)
	for range 3 {
		start := time.Now()
		argon2.IDKey([]byte("calibration password"), salt, p.Time, p.Memory, p.Threads, KeyLen)
		best = min(best, max(time.Since(start), 1))
	}
	return best
}
