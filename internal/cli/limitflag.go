package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/storekeep/storekeep"
)

// limitFlag is a throttle given as COUNT/PERIOD, such as 20/10m.
type limitFlag struct{ limit *storekeep.Limit }

func (f limitFlag) String() string {
	if f.limit == nil || f.limit.Count == 0 {
		return ""
	}
	return strconv.Itoa(f.limit.Count) + "/" + f.limit.Per.String()
}

func (f limitFlag) Set(s string) error {
	count, per, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return errors.New("want COUNT/PERIOD, such as 20/10m")
	}
	n, err := strconv.Atoi(count)
	if err != nil || n <= 0 {
		return fmt.Errorf("count %q is not a positive whole number", count)
	}
	d, err := time.ParseDuration(per)
	if err != nil || d <= 0 {
		return fmt.Errorf("period %q is not a positive duration such as 10m or 1h", per)
	}
	*f.limit = storekeep.Limit{Count: n, Per: d}
	return nil
}
