package cli

import (
	"flag"
	"fmt"
	"strconv"
)

// idFlag is the ID of what a command acts on, given as its argument or
// as --id, in decimal digits only: flag.Int64 would also read 010 as 8
// and 0x10 as 16, acting on another row than the one the operator read.
type idFlag struct {
	what, usage string
	flag        string
}

// defineID defines --id; what names the thing in messages ("mail") and
// usage is the command line shown when no ID is given.
func defineID(fs *flag.FlagSet, what, help, usage string) *idFlag {
	f := &idFlag{what: what, usage: usage}
	fs.StringVar(&f.flag, "id", "", help)
	return f
}

// value returns the ID given as arg or --id: a positive decimal number,
// written as strconv.FormatInt writes it.
func (f *idFlag) value(arg string) (int64, error) {
	var id int64
	for _, s := range []string{arg, f.flag} {
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 || strconv.FormatInt(n, 10) != s {
			return 0, fmt.Errorf("the %s's ID is a positive number, not %q", f.what, s)
		}
		if id != 0 && id != n {
			return 0, usagef("two IDs: %d and --id %d", id, n)
		}
		id = n
	}
	if id == 0 {
		return 0, usagef("the %s's ID is required: %s", f.what, f.usage)
	}
	return id, nil
}
