package loadtest

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// newRunPrefix returns a random tag that keeps this run's emails apart
// from earlier runs' against the same database.
func newRunPrefix() string {
	return "run-" + strings.ToLower(rand.Text()[:8])
}

func seedEmail(prefix string, i int) string {
	return fmt.Sprintf("%s-%05d@bench.storekeep.test", prefix, i)
}

// seedClients is the most clients that create customers at once: half
// the sign-ups a node lets wait for its one sign-up hash (password:
// 256 / 8), so that no create is refused THROTTLED for the lane being
// full and every customer asked for is seeded, whatever --clients.
const seedClients = 16

// seed creates the customers through customerCreate with up to
// seedClients clients at once, and returns the emails of those created,
// in order.
func (b *bench) seed(ctx context.Context, prefix string) ([]string, SeedReport) {
	start := time.Now()
	created := make([]bool, b.cfg.Customers)
	var next atomic.Int64
	clients := min(b.cfg.Clients, seedClients)
	tallies := make([]tally, clients)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(created) {
					return
				}
				input := map[string]any{"email": seedEmail(prefix, i), "password": b.cfg.Password, "firstName": "Bench"}
				t := time.Now()
				r := b.api.call(ctx, b.ips[c].Next(), createMutation, map[string]any{"input": input}, "customerCreate", need{customer: true})
				tallies[c].add(r, time.Since(t))
				created[i] = r.outcome == outcomeOK
			}
		})
	}
	wg.Wait()
	var all tally
	for i := range tallies {
		all.merge(&tallies[i])
	}
	var emails []string
	for i, ok := range created {
		if ok {
			emails = append(emails, seedEmail(prefix, i))
		}
	}
	rep := SeedReport{
		Requested:  b.cfg.Customers,
		Created:    len(emails),
		Seconds:    time.Since(start).Seconds(),
		Counts:     countsOf(&all),
		FirstError: cmp.Or(all.firstErr, all.firstUE),
	}
	return emails, rep
}
