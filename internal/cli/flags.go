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
	// node marks the commands that configure a running node (serve,
	// migrate): every flag of theirs is also read from the environment.
	node bool
	// arg names the one positional argument the command takes, if any.
	arg string
}

// environment is what a command may touch of the outside world.
type environment struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
	// arg is the command's positional argument, when it takes one.
	arg string
}

// errUsage means the command line was wrong; the message has been shown.
var errUsage = errors.New("usage")

// usageError is a command line that is wrong in a way parsing cannot see:
// a required flag or argument left out, or flags that contradict each
// other. The command exits 2 after its message and usage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a *usageError of the formatted message.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// nodeFlags are the settings of a node that every command opening its
// database shares, and so may take from the environment.
var nodeFlags = map[string]bool{"db": true, "secret-key": true, "secret-key-file": true}

// fromEnv reports whether c's flag name is read from its STOREKEEP_*
// variable: every flag of a node command, and the database's settings.
// A one-off command's own flags never are, so a variable meant for one
// command cannot change what another does.
func (c command) fromEnv(name string) bool {
	return c.node || nodeFlags[name]
}

// envName is the environment variable that stands in for a flag:
// --storefront-url is STOREKEEP_STOREFRONT_URL.
func envName(flagName string) string {
	return "STOREKEEP_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parse parses args, which may hold c's positional argument among the
// flags, then fills every flag that c reads from the environment and the
// command line did not give from its STOREKEEP_* variable.
func (c command) parse(fs *flag.FlagSet, args []string, env *environment) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.arg != "" && fs.NArg() > 0 {
		env.arg = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil || !c.fromEnv(f.Name) {
			return
		}
		if v := env.getenv(envName(f.Name)); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", envName(f.Name), e)
			}
		}
	})
	return err
}

// usage prints c's help, naming the environment variable of each flag
// that reads one.
func (c command) usage(fs *flag.FlagSet, w io.Writer) {
	line := c.name + " [flags]"
	if c.arg != "" {
		line = c.name + " " + c.arg + " [flags]"
	}
	fmt.Fprintf(w, "usage: storekeep %s\n\n%s\n\nflags:\n", line, c.summary)
	fs.VisitAll(func(f *flag.Flag) {
		def, variable := "", ""
		if f.DefValue != "" && f.DefValue != "false" {
			def = fmt.Sprintf(" (default %q)", f.DefValue)
		}
		if c.fromEnv(f.Name) {
			variable = " [" + envName(f.Name) + "]"
		}
		fmt.Fprintf(w, "  --%s%s%s\n      %s\n", f.Name, variable, def, f.Usage)
	})
}
