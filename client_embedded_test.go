package storekeep_test

import (
	"context"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/ratelimit"
)

// Addresses that carry an IPv4 client's address: a NAT64 translator's
// (64:ff9b::/96, and the local-use 64:ff9b:1::/48 in its /96 form), a
// 6to4 host's (2002::/16, bits 16-47) and a Teredo client's (2001::/32,
// the last 32 bits inverted). Each is counted as that IPv4 client, alone.
var embeddedIPv4 = map[string]string{
	"64:ff9b::c633:6407":                "198.51.100.7",
	"64:ff9b::c633:6408":                "198.51.100.8",
	"64:ff9b:1::c633:6407":              "198.51.100.7",
	"64:ff9b:1:aa:bb:cc:c633:6409":      "198.51.100.9",
	"2002:c633:6407::1":                 "198.51.100.7",
	"2002:c633:6407:ffff::2":            "198.51.100.7",
	"2001:0:cb00:7101:0:fbff:39cc:9bf8": "198.51.100.7",
}

func TestAnEmbeddedIPv4ClientIsCountedAsThatIPv4Client(t *testing.T) {
	for ip, want := range embeddedIPv4 {
		if got := storekeep.ThrottleIP(ip); got != want {
			t.Errorf("ThrottleIP(%q) = %q, want %q", ip, got, want)
		}
		if got := storekeep.ThrottleNetwork(ip); got != want {
			t.Errorf("ThrottleNetwork(%q) = %q, want %q", ip, got, want)
		}
		if got := storekeep.ClientShares(ip); len(got) != 1 || got[0] != (storekeep.ClientShare{Client: want, Times: 1}) {
			t.Errorf("ClientShares(%q) = %v, want only %s", ip, got, want)
		}
	}
}

// Behind a NAT46 gateway every IPv4 client reaches an IPv6-only node from
// 64:ff9b::/96: one client spending its allowance must not spend the next.
func TestIPv4ClientsBehindNAT64DoNotShareAnAllowance(t *testing.T) {
	ctx := context.Background()
	limit := storekeep.Limit{Count: 2, Per: time.Hour}
	m := ratelimit.NewMemory(nil, 100, nil)
	for range 10 {
		_, _ = storekeep.AllowClient(ctx, m, "t", "64:ff9b::c633:6407", limit)
	}
	if ok, err := storekeep.AllowClient(ctx, m, "t", "64:ff9b::c633:6408", limit); err != nil || !ok {
		t.Fatalf("198.51.100.8 through NAT64 after 198.51.100.7 spent its allowance: %v, %v", ok, err)
	}
	if ok, _ := storekeep.AllowClient(ctx, m, "t", "198.51.100.7", limit); ok {
		t.Fatal("198.51.100.7 reached over IPv4 was allowed after spending its allowance over NAT64")
	}
}
