package cli

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"runtime/debug"
)

// version and commit are stamped at build time by scripts/release with
// -ldflags '-X github.com/storekeep/storekeep/internal/cli.version=v1.2.3'
// (and .commit=...); without them, what the Go toolchain recorded is shown.
var version, commit string

// buildInfo is what a binary knows of how it was built.
type buildInfo struct {
	Version   string
	Commit    string
	Modified  bool
	GoVersion string
}

// readBuildInfo reads the stamped version and what the Go toolchain
// recorded: the module version, the commit and the Go release.
func readBuildInfo() buildInfo {
	b := buildInfo{Version: version, Commit: cmp.Or(commit, "unknown"), GoVersion: "unknown"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		b.Version = cmp.Or(b.Version, "unknown")
		return b
	}
	b.GoVersion = info.GoVersion
	b.Version = cmp.Or(b.Version, info.Main.Version, "(devel)")
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = cmp.Or(commit, s.Value)
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

func (b buildInfo) String() string {
	commit := b.Commit
	if b.Modified {
		commit += " (modified)"
	}
	return fmt.Sprintf("storekeep %s, commit %s, %s", b.Version, commit, b.GoVersion)
}

func setupVersion(fs *flag.FlagSet, env *environment) func(context.Context) error {
	return func(context.Context) error {
		fmt.Fprintln(env.stdout, readBuildInfo())
		return nil
	}
}
