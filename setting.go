package storekeep

import (
	"fmt"
	"time"
)

// CheckLimit refuses a limit that allows nothing or refills never, naming
// the setting (a flag such as --recover-per-ip) in its error.
func CheckLimit(setting string, l Limit) error {
	if l.Count < 1 || l.Per <= 0 {
		return fmt.Errorf("%s must allow at least 1 per a positive period, not %d/%s", setting, l.Count, l.Per)
	}
	return nil
}

// CheckDuration refuses a duration that is not positive, naming the
// setting in its error.
func CheckDuration(setting string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s must be positive, not %s", setting, d)
	}
	return nil
}

// CheckOptionalDuration refuses a negative duration, naming the setting
// in its error; zero turns off what the setting paces.
func CheckOptionalDuration(setting string, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%s must be zero (off) or positive, not %s", setting, d)
	}
	return nil
}

// CheckCount refuses a count below 1, naming the setting in its error.
func CheckCount(setting string, n int) error {
	if n < 1 {
		return fmt.Errorf("%s must be at least 1, not %d", setting, n)
	}
	return nil
}
