package loadtest

import (
	"context"
	"time"
)

// recoverScenario times customerRecover over the seeded customers, and
// the delivery of each accepted request's mail to the sink.
func (b *bench) recoverScenario(ctx context.Context) ScenarioReport {
	clock := newMailClock()
	stray := b.sink.strays()
	watch := b.watchServer(ctx)
	start := time.Now()
	workers, elapsed := b.run(ctx, func(ctx context.Context, w *worker) {
		email := b.pool.next()
		sent := w.due
		cancel := b.sink.expect(email, func(a arrival) { clock.deliver(a.At, a.At.Sub(sent)) })
		r := b.api.call(ctx, w.ips.Next(), recoverMutation, map[string]any{"email": email}, "customerRecover", need{})
		w.tally.add(r, time.Since(sent))
		if r.outcome == outcomeOK {
			clock.accept()
		} else {
			cancel()
		}
	})
	drained := b.drain(ctx)
	clock.settle(b.cfg.MailGrace)
	b.sink.forget()
	rep := summarize(ScenarioRecover, workers, elapsed)
	rep.Mail = clock.report(b.sink.strays() - stray)
	rep.EndToEnd = clock.endToEnd(start, elapsed)
	rep.Drain = drained
	rep.Server = watch.stop(ctx, b)
	return rep
}
