package storekeep

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestClipUserAgentKeepsValidUTF8WithinTheBound(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"short", "curl/8.5.0", "curl/8.5.0"},
		{"exactly the bound", strings.Repeat("a", MaxUserAgentBytes), strings.Repeat("a", MaxUserAgentBytes)},
		{"60 KB", strings.Repeat("a", 60<<10), strings.Repeat("a", MaxUserAgentBytes)},
		{"cut inside a character", "a" + strings.Repeat("é", 300), "a" + strings.Repeat("é", (MaxUserAgentBytes-1)/2)},
		{"cut inside a 4-byte character", "ab" + strings.Repeat("😀", 200), "ab" + strings.Repeat("😀", (MaxUserAgentBytes-2)/4)},
		{"invalid bytes dropped", "a\xffb\xc3", "ab"},
		{"invalid bytes in a long one", strings.Repeat("\xff", 5000) + "ok", "ok"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ClipUserAgent(tc.in)
			if got != tc.want || len(got) > MaxUserAgentBytes || !utf8.ValidString(got) {
				t.Fatalf("ClipUserAgent = %q (%d bytes), want %q", got, len(got), tc.want)
			}
		})
	}
}

func TestFoldedEventsShareAKeyPerClientKindDetailAndWindow(t *testing.T) {
	start := time.Date(2030, 1, 2, 3, 0, 0, 0, time.UTC)
	base := AuditEvent{ShopID: 1, Kind: AuditThrottled, IP: "203.0.113.9", Detail: "customerRecover", At: start}
	key := base.Folded().RepeatKey
	same := []AuditEvent{base, base, base}
	same[1].At = start.Add(AuditRepeatWindow - time.Nanosecond)
	same[2].CustomerID, same[2].UserAgent = 7, "other agent"
	for i, e := range same {
		if got := e.Folded().RepeatKey; got != key {
			t.Errorf("event %d: key %q, want %q", i, got, key)
		}
	}
	differ := []AuditEvent{base, base, base, base}
	differ[0].IP = "203.0.113.10"
	differ[1].Detail = "customerAccessTokenCreate"
	differ[2].Kind = AuditLoginFailed
	differ[3].At = start.Add(AuditRepeatWindow)
	for i, e := range differ {
		if got := e.Folded().RepeatKey; got == key || got == "" {
			t.Errorf("event %d: key %q, want one of its own", i, got)
		}
	}
	if base.RepeatKey != "" {
		t.Fatal("Folded changed its receiver")
	}
	v6 := base
	v6.IP = "2001:db8:1:2::7"
	v6key := v6.Folded().RepeatKey
	for ip, same := range map[string]bool{"2001:db8:1:2:ffff::1": true, "2001:db8:1:ff03::7": true, "2001:db8:2:2::7": false} {
		e := v6
		e.IP = ip
		if got := e.Folded().RepeatKey; (got == v6key) != same {
			t.Errorf("%s: key %q beside %q of 2001:db8:1:2::7, want shared %v (one /48)", ip, got, v6key, same)
		}
	}
}
