package password

import (
	"errors"
	"fmt"
)

// Params are the argon2id cost parameters.
type Params struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
}

// DefaultParams is OWASP's recommended argon2id configuration: 19 MiB, two
// passes, one thread.
var DefaultParams = Params{Memory: 19456, Time: 2, Threads: 1}

// Bounds on Params. Configured parameters must lie within them all; a stored
// hash may have less memory (down to argon2's floor of 8 KiB per thread), so
// hashes imported from elsewhere still verify, but never more of anything.
const (
	MinMemory  = 8 << 10 // 8 MiB, in KiB
	MaxMemory  = 1 << 20 // 1 GiB, in KiB
	MaxTime    = 16
	MaxThreads = 16
)

// Lengths of what Hash produces, and the bounds accepted when parsing.
const (
	SaltLen    = 16
	KeyLen     = 32
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

// Validate reports whether p is fit to hash new passwords with.
func (p Params) Validate() error {
	var errs []error
	if p.Memory < MinMemory || p.Memory > MaxMemory {
		errs = append(errs, fmt.Errorf("memory %d KiB outside [%d, %d]", p.Memory, MinMemory, MaxMemory))
	}
	if p.Time < 1 || p.Time > MaxTime {
		errs = append(errs, fmt.Errorf("time %d outside [1, %d]", p.Time, MaxTime))
	}
	if p.Threads < 1 || p.Threads > MaxThreads {
		errs = append(errs, fmt.Errorf("threads %d outside [1, %d]", p.Threads, MaxThreads))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("password: bad argon2id params: %w", err)
	}
	return nil
}

// storable reports whether p is within the bounds Verify accepts from a
// stored hash.
func (p Params) storable() error {
	switch {
	case p.Threads < 1 || p.Threads > MaxThreads:
		return fmt.Errorf("threads %d outside [1, %d]", p.Threads, MaxThreads)
	case p.Time < 1 || p.Time > MaxTime:
		return fmt.Errorf("time %d outside [1, %d]", p.Time, MaxTime)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > MaxMemory:
		return fmt.Errorf("memory %d KiB outside [%d, %d]", p.Memory, 8*uint32(p.Threads), MaxMemory)
	}
	return nil
}

// String renders p as in a PHC string: "m=19456,t=2,p=1".
func (p Params) String() string {
	return fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads)
}
