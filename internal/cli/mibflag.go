package cli

import (
	"errors"
	"strconv"
	"strings"
)

// maxMiBFlag is the largest byte count a mibFlag takes, in MiB (1 TiB).
const maxMiBFlag = 1 << 20

// mibFlag is a byte count given in whole MiB, such as 16.
type mibFlag struct{ bytes *int64 }

func (f mibFlag) String() string {
	if f.bytes == nil {
		return ""
	}
	return strconv.FormatInt(*f.bytes>>20, 10)
}

func (f mibFlag) Set(s string) error {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 1 || n > maxMiBFlag {
		return errors.New("want a whole number of MiB from 1 to " + strconv.Itoa(maxMiBFlag))
	}
	*f.bytes = n << 20
	return nil
}
