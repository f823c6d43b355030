package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// drainPoll is how often the server's outbox depth is read while waiting.
const drainPoll = 250 * time.Millisecond

// Metric names the bench reads from the server's /metrics.
const (
	metricPending   = "storekeep_outbox_pending"
	metricOldestAge = "storekeep_outbox_oldest_pending_age_seconds"
	metricRSS       = "process_resident_memory_bytes"
	metricHeld      = "storekeep_recover_held_total"
)

// serverMetrics reads the named unlabelled samples from the server's
// /metrics, on its admin listener; a name the server does not export is
// left out of the map.
func (b *bench) serverMetrics(ctx context.Context, names ...string) (map[string]float64, error) {
	admin, err := checkURL("--admin-url", b.cfg.AdminURL)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, admin.String()+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := b.api.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics answered %s", resp.Status)
	}
	got := make(map[string]float64, len(names))
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		name, value, ok := strings.Cut(lines.Text(), " ")
		if !ok || !slices.Contains(names, name) {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		got[name] = v
	}
	return got, lines.Err()
}

// outboxPending reads storekeep_outbox_pending from the server's /metrics.
func (b *bench) outboxPending(ctx context.Context) (int, error) {
	got, err := b.serverMetrics(ctx, metricPending)
	if err != nil {
		return 0, err
	}
	n, ok := got[metricPending]
	if !ok {
		return 0, fmt.Errorf("/metrics has no %s", metricPending)
	}
	return int(n), nil
}

// drainOutbox waits, up to cfg.Drain, until the server's outbox is empty,
// so that one scenario's backlog of mail does not weigh on the next (nor
// void the reset links it asks for). It reports how long it waited and
// what was left.
func (b *bench) drainOutbox(ctx context.Context) (waited time.Duration, left int, err error) {
	start := time.Now()
	deadline := start.Add(b.cfg.Drain)
	for {
		left, err = b.outboxPending(ctx)
		if err != nil || left == 0 || !time.Now().Before(deadline) {
			return time.Since(start), left, err
		}
		select {
		case <-ctx.Done():
			return time.Since(start), left, ctx.Err()
		case <-time.After(drainPoll):
		}
	}
}
