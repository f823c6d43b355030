package loadtest

import (
	"context"
	"time"
)

// loginScenario times customerAccessTokenCreate with the seeded
// customers' credentials.
func (b *bench) loginScenario(ctx context.Context) ScenarioReport {
	workers, elapsed := b.run(ctx, func(ctx context.Context, w *worker) {
		input := map[string]any{"email": b.pool.next(), "password": b.cfg.Password}
		start := w.due
		r := b.api.call(ctx, w.ips.Next(), loginMutation, map[string]any{"input": input}, "customerAccessTokenCreate", need{token: true})
		w.tally.add(r, time.Since(start))
	})
	return summarize(ScenarioLogin, workers, elapsed)
}
