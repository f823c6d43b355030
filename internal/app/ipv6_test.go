package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

// An IPv6 host is given a whole /64 and picks any address in it: per-IP
// limits count the /64, so rotating the interface identifier gives no new
// allowance (the IPv4 control is throttled at the same count), and a
// neighbouring /64 keeps its own.
func TestPerIPLimitsCountAnIPv6HostsWholeSlash64(t *testing.T) {
	const perIP = 5
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Recovery.RecoverPerIP = storekeep.Limit{Count: perIP, Per: time.Hour}
	})
	for name, ip := range map[string]func(i int) string{
		"IPv4, one address":         func(int) string { return "198.51.100.7" },
		"IPv6, one /64, many hosts": func(i int) string { return fmt.Sprintf("2001:db8:dead:beef::%x", i+1) },
		"IPv6, mapped IPv4":         func(int) string { return "::ffff:198.51.100.8" },
	} {
		for i := range perIP + 1 {
			r, _ := n.recover(fmt.Sprintf("someone-%d@example.com", i), privateAs(n, ip(i)))
			if throttled := isThrottled(r, "customerRecover", recoverThrottle); throttled != (i == perIP) {
				t.Fatalf("%s: request %d (%s) throttled: %v, want only request %d: %s", name, i+1, ip(i), throttled, perIP+1, r.Raw)
			}
		}
	}
	if r, _ := n.recover("neighbour@example.com", privateAs(n, "2001:db8:dead:bef0::1")); isThrottled(r, "customerRecover", recoverThrottle) {
		t.Errorf("another /64 was throttled with the first: %s", r.Raw)
	}
}

// TestBuyerIPZoneIsNotKept: a buyer's address names a host on the internet, where an IPv6 zone
// (the "%eth0" of a link-local address) means nothing; netip accepts any
// text after the '%', up to the 64 KiB a header may hold. The client IP a
// request is audited under must drop it, as it is dropped when the
// address is throttled, so that an audit row stays within about 1 KB
// whatever the Shopify-Storefront-Buyer-IP header holds.
func TestBuyerIPZoneIsNotKept(t *testing.T) {
	n := startNode(t)
	zoned := "2001:db8::7%" + strings.Repeat("z", 60<<10)
	n.post(loginMutation, map[string]any{"input": map[string]any{"email": "nobody@example.com", "password": "wrong-secret-1"}}, privateAs(n, zoned))
	deadline := time.Now().Add(5 * time.Second)
	for {
		events, size := n.auditRows()
		if len(events) > 0 {
			if events[0].IP != "2001:db8::7" || size > len(events)*1024 {
				t.Fatalf("audited under an IP of %d bytes (%.30q...), %d bytes of text in %d rows", len(events[0].IP), events[0].IP, size, len(events))
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no audit row for a failed sign-in")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A host that rotates the address it sends from within its /64 is one
// client to every per-IP limit, and so to the audit trail: the requests
// refused once its allowance is spent fold into one row per kind and
// operation a window, as one address's do, instead of one row each. So
// do those of a network's holder sending from another /56 of its /48
// each time, once the /48 has spent its share.
func TestAnIPv6HostRotatingItsAddressAddsOneThrottledRowAWindow(t *testing.T) {
	for _, tc := range []struct {
		name     string
		allowed  int
		requests int
		host     func(i int) string
	}{
		{"one /64", 2, 12, func(i int) string { return fmt.Sprintf("2001:db8:dead:beef:%x::%x", i+1, i+7) }},
		{"one /48", 2 * storekeep.IPv6NetworkShare, 42, func(i int) string { return fmt.Sprintf("2001:db8:dead:%x::%x", i<<8, i+7) }},
	} {
		t.Run(tc.name, func(t *testing.T) { rotatingClientsThrottledRows(t, tc.allowed, tc.requests, tc.host) })
	}
}

// rotatingClientsThrottledRows sends requests of each throttled kind from
// host(i), of which allowed are within the limits, and checks that the
// rest fold into one throttled row an operation.
func rotatingClientsThrottledRows(t *testing.T, allowed, requests int, host func(i int) string) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.Recovery.RecoverPerIP = storekeep.Limit{Count: 2, Per: time.Hour}
		c.Account.LoginPerIP = storekeep.Limit{Count: 2, Per: time.Hour}
		c.Account.CreatePerIP = storekeep.Limit{Count: 2, Per: time.Hour}
		c.Recovery.FailedTokensPerIP = storekeep.Limit{Count: 2, Per: time.Hour}
	})
	for i := range requests {
		n.recover(fmt.Sprintf("someone-%d@example.com", i), privateAs(n, host(i)))
		n.loginAs(fmt.Sprintf("someone-%d@example.com", i), "wrong-secret-1", host(i))
		n.post(createMutation, map[string]any{"input": map[string]any{"email": fmt.Sprintf("new-%d@example.com", i), "password": "a-new-secret-1"}}, privateAs(n, host(i)))
		n.floodResets(host(i), 1, nil)
	}
	events, _ := n.auditRows()
	rows, counted := map[string]int{}, map[string]int{}
	for _, e := range events {
		if e.Kind == storekeep.AuditThrottled {
			rows[e.Detail]++
			counted[e.Detail] += e.Count
		}
	}
	for _, op := range []string{"customerRecover", "customerAccessTokenCreate", "customerCreate", "bad token allowance used up"} {
		if rows[op] != 1 || counted[op] < requests-allowed {
			t.Errorf("%d requests throttled for %s: %d rows counting %d, want one row counting at least %d", requests, op, rows[op], counted[op], requests-allowed)
		}
	}
}
