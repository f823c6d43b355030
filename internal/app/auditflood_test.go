package app_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/storekeep/storekeep"
)

// auditRows returns the node's audit events and the bytes of text they
// hold.
func (n *node) auditRows() ([]storekeep.AuditEvent, int) {
	n.t.Helper()
	events, err := n.app.Store.AuditEvents(context.Background(), n.shop.ID, 0)
	if err != nil {
		n.t.Fatal(err)
	}
	size := 0
	for _, e := range events {
		size += len(e.Kind) + len(e.IP) + len(e.UserAgent) + len(e.Detail) + len(e.RepeatKey)
	}
	return events, size
}

// TestOneClientCannotFillTheDatabaseWithAuditRows floods from one IP with
// bad-token resets, 30 to a request, each carrying a 60 KB User-Agent. Its
// audit rows are bounded by its bad-token allowance plus one row per
// AuditRepeatWindow for everything refused, with user agents cut to
// storekeep.MaxUserAgentBytes.
func TestOneClientCannotFillTheDatabaseWithAuditRows(t *testing.T) {
	n := startNode(t)
	allowance := 100 // recovery.DefaultConfig().FailedTokensPerIP: 100 an hour
	agent := map[string]string{"User-Agent": "Mozilla/5.0 x" + strings.Repeat("é", 30<<10)}

	n.floodResets(attackerIP, 20, agent)

	events, size := n.auditRows()
	if len(events) > allowance+1 {
		t.Errorf("600 bad tokens from one IP wrote %d audit rows, want at most %d", len(events), allowance+1)
	}
	counted, throttled := 0, 0
	for _, e := range events {
		counted += e.Count
		if e.Kind == storekeep.AuditThrottled {
			throttled++
		}
		if len(e.UserAgent) > storekeep.MaxUserAgentBytes || !utf8.ValidString(e.UserAgent) || !strings.HasPrefix(e.UserAgent, "Mozilla/5.0 xé") {
			t.Fatalf("stored user agent of %d bytes, valid UTF-8 %v: %.40q", len(e.UserAgent), utf8.ValidString(e.UserAgent), e.UserAgent)
		}
	}
	if counted != 600 || throttled != 1 {
		t.Errorf("rows count %d events, %d of them throttled rows; want 600 events, one throttled row", counted, throttled)
	}
	if limit := len(events) * 1024; size > limit {
		t.Errorf("audit rows hold %d bytes of text, more than 1 KB a row", size)
	}

	n.clock.Advance(storekeep.AuditRepeatWindow)
	refilled := allowance * int(storekeep.AuditRepeatWindow.Minutes()) / 60
	n.floodResets(attackerIP, 20, agent)
	after, _ := n.auditRows()
	if grown := len(after) - len(events); grown > refilled+1 {
		t.Errorf("a second flood one window later added %d rows, want at most %d refilled bad tokens and one throttled row", grown, refilled+1)
	}
}
