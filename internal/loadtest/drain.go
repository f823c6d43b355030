package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// drainPoll is how often the server's outbox depth is read while waiting.
const drainPoll = 250 * time.Millisecond

// outboxPending reads storekeep_outbox_pending from the server's /metrics,
// on its admin listener.
func (b *bench) outboxPending(ctx context.Context) (int, error) {
	admin, err := checkURL("--admin-url", b.cfg.AdminURL)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, admin.String()+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := b.api.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("/metrics answered %s", resp.Status)
	}
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		value, ok := strings.CutPrefix(lines.Text(), "storekeep_outbox_pending ")
		if !ok {
			continue
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return 0, fmt.Errorf("storekeep_outbox_pending: %w", err)
		}
		return int(n), nil
	}
	if err := lines.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("/metrics has no storekeep_outbox_pending")
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
