package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// bench is one run's shared state.
type bench struct {
	cfg      Config
	api      *api
	sink     *sink
	pool     *pool
	ips      []*buyerIPs
	progress io.Writer
}

// Run checks cfg, starts the SMTP sink, seeds the customers and runs the
// scenarios in order against the server.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	mail, err := startSink(cfg.SMTPListen)
	if err != nil {
		return nil, fmt.Errorf("SMTP sink: %w", err)
	}
	defer mail.close()
	return runWith(ctx, cfg, mail)
}

// drain waits for the server's outbox to empty after a scenario and
// reports how long that took; nil when cfg.Drain is 0.
func (b *bench) drain(ctx context.Context) *DrainReport {
	if b.cfg.Drain <= 0 {
		return nil
	}
	fmt.Fprintf(b.progress, "waiting up to %s for the server's outbox to empty…\n", b.cfg.Drain)
	waited, left, err := b.drainOutbox(ctx)
	d := &DrainReport{WaitedSeconds: waited.Seconds(), Left: left}
	if err != nil {
		d.Error = err.Error()
	}
	return d
}

// runWith is Run with a sink already listening.
func runWith(ctx context.Context, cfg Config, mail *sink) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	scenarios, err := ParseScenarios(strings.Join(cfg.Scenarios, ","))
	if err != nil {
		return nil, err
	}
	b := &bench{cfg: cfg, api: newAPI(cfg.endpoint(), cfg.Token, cfg.Clients), sink: mail, progress: cfg.Progress}
	if b.progress == nil {
		b.progress = io.Discard
	}
	defer b.api.close()
	for i := range cfg.Clients {
		b.ips = append(b.ips, newBuyerIPs(i, cfg.IPsPerClient))
	}
	if err := b.api.probe(ctx); err != nil {
		return nil, err
	}
	rep := &Report{URL: cfg.URL, Version: cfg.Version, Clients: cfg.Clients, Rate: cfg.Rate, DurationSeconds: cfg.Duration.Seconds()}
	prefix := newRunPrefix()
	fmt.Fprintf(b.progress, "seeding %d customers (%s-*@bench.storekeep.test)…\n", cfg.Customers, prefix)
	emails, seeded := b.seed(ctx, prefix)
	seeded.Drain = b.drain(ctx)
	rep.Seed = seeded
	if len(emails) == 0 {
		return rep, fmt.Errorf("no customer could be created: %s", seeded.FirstError)
	}
	b.pool = newPool(emails)
	run := map[string]func(context.Context) ScenarioReport{
		ScenarioRecover: b.recoverScenario,
		ScenarioReset:   b.resetScenario,
		ScenarioLogin:   b.loginScenario,
	}
	for _, name := range scenarios {
		fmt.Fprintf(b.progress, "running %s for %s with %d clients…\n", name, cfg.Duration, cfg.Clients)
		rep.Scenarios = append(rep.Scenarios, run[name](ctx))
		if err := ctx.Err(); err != nil {
			return rep, errors.Join(errors.New("interrupted"), err)
		}
		if last := &rep.Scenarios[len(rep.Scenarios)-1]; last.Drain == nil {
			last.Drain = b.drain(ctx)
		}
	}
	return rep, nil
}
