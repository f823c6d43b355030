package cli

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"time"

	"github.com/storekeep/storekeep/password"
)

// hashFlags are serve's argon2id parameters.
type hashFlags struct {
	memory, time, threads uint
}

func (h *hashFlags) define(fs *flag.FlagSet) {
	d := password.DefaultParams
	fs.UintVar(&h.memory, "hash-memory", uint(d.Memory), "argon2id memory per password hash, in KiB (see 'storekeep hash calibrate')")
	fs.UintVar(&h.time, "hash-time", uint(d.Time), "argon2id passes over that memory")
	fs.UintVar(&h.threads, "hash-threads", uint(d.Threads), "argon2id parallelism")
}

// params returns the parameters, checked against password's bounds.
func (h *hashFlags) params() (password.Params, error) {
	if h.memory > password.MaxMemory || h.time > password.MaxTime || h.threads > password.MaxThreads {
		return password.Params{}, fmt.Errorf("--hash-memory %d, --hash-time %d, --hash-threads %d: above the maximum of %d KiB, %d passes, %d threads",
			h.memory, h.time, h.threads, password.MaxMemory, password.MaxTime, password.MaxThreads)
	}
	p := password.Params{Memory: uint32(h.memory), Time: uint32(h.time), Threads: uint8(h.threads)}
	if err := p.Validate(); err != nil {
		return password.Params{}, fmt.Errorf("--hash-memory/--hash-time/--hash-threads: %w", err)
	}
	return p, nil
}

func setupHashCalibrate(fs *flag.FlagSet, env *environment) func(context.Context) error {
	target := fs.Duration("target", 250*time.Millisecond, "the longest one password hash may take on this machine")
	maxMemory := fs.Uint("max-memory", 64<<10, "the most memory one hash may use, in KiB")
	return func(ctx context.Context) error {
		if *maxMemory > password.MaxMemory {
			return fmt.Errorf("--max-memory %d KiB is above the maximum of %d KiB", *maxMemory, password.MaxMemory)
		}
		p, took, err := password.Calibrate(*target, uint32(*maxMemory))
		if err != nil {
			return err
		}
		cpus := runtime.NumCPU()
		fmt.Fprintf(env.stdout, "argon2id %s: one hash took %v on this machine (target %v)\n", p, took.Round(time.Millisecond), *target)
		if took > *target {
			fmt.Fprintf(env.stdout, "these are the smallest parameters storekeep accepts; the target cannot be met here\n")
		}
		fmt.Fprintf(env.stdout, "serve with:  --hash-memory %d --hash-time %d --hash-threads %d\n", p.Memory, p.Time, p.Threads)
		fmt.Fprintf(env.stdout, "or set:      STOREKEEP_HASH_MEMORY=%d STOREKEEP_HASH_TIME=%d STOREKEEP_HASH_THREADS=%d\n", p.Memory, p.Time, p.Threads)
		fmt.Fprintf(env.stdout, "at most %d hashes run at once here (one per CPU), holding up to %d MiB; more wait in a bounded queue or get THROTTLED\n",
			cpus, uint64(cpus)*uint64(p.Memory)>>10)
		return nil
	}
}
