package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one storekeep subcommand.
type command struct {
	name    string
	summary string
	// setup defines the command's flags and returns what runs it.
	setup func(fs *flag.FlagSet, env *environment) func(ctx context.Context) error
}

// environment is what a command may touch of the outside world.
type environment struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
	// operandName names the one argument the command takes besides its
	// flags, such as FILE, when its setup called takes; operand is its
	// value once parsed.
	operandName, operand string
}

// takes declares that the command being set up takes one operand, name.
func (e *environment) takes(name string) { e.operandName = name }

// errUsage means the command line was wrong; the message has been shown.
var errUsage = errors.New("usage")

// envName is the environment variable that stands in for a flag:
// --storefront-url is STOREKEEP_STOREFRONT_URL.
func envName(flagName string) string {
	return "STOREKEEP_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parse parses args, flags before or after the operand when the command
// takes one, then fills every flag not given on the command line from its
// STOREKEEP_* variable.
func parse(fs *flag.FlagSet, args []string, getenv func(string) string, operand string) (string, error) {
	var operands []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		operands, args = append(operands, fs.Arg(0)), fs.Args()[1:]
	}
	switch {
	case operand == "" && len(operands) > 0:
		return "", fmt.Errorf("unexpected argument %q", operands[0])
	case operand != "" && len(operands) != 1:
		return "", fmt.Errorf("give one %s", operand)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", envName(f.Name), e)
			}
		}
	})
	if err != nil {
		return "", err
	}
	if len(operands) == 0 {
		return "", nil
	}
	return operands[0], nil
}

// usage prints a command's help with the environment variable of each flag.
func usage(fs *flag.FlagSet, w io.Writer, line, summary string) func() {
	return func() {
		fmt.Fprintf(w, "usage: storekeep %s\n\n%s\n\nflags (each also read from its environment variable):\n", line, summary)
		fs.VisitAll(func(f *flag.Flag) {
			def := ""
			if f.DefValue != "" && f.DefValue != "false" {
				def = fmt.Sprintf(" (default %q)", f.DefValue)
			}
			fmt.Fprintf(w, "  --%s  [%s]%s\n      %s\n", f.Name, envName(f.Name), def, f.Usage)
		})
	}
}
