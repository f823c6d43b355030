// Package ratelimit implements storekeep.Limiter in process memory, in Redis
// shared between nodes, and as a Redis limiter that falls back to memory
// while Redis is unreachable.
package ratelimit

import (
	"errors"
	"fmt"

	"github.com/storekeep/storekeep"
)

// ErrInvalidLimit is returned (wrapped) for a Limit with Count < 1 or
// Per <= 0.
var ErrInvalidLimit = errors.New("ratelimit: invalid limit")

func check(l storekeep.Limit) error {
	if l.Count < 1 || l.Per <= 0 {
		return fmt.Errorf("%w: %d per %v", ErrInvalidLimit, l.Count, l.Per)
	}
	return nil
}
