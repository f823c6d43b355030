package storekeep_test

import (
	"testing"

	"github.com/storekeep/storekeep"
)

func TestThrottleIPCountsAnIPv6HostsSlash64(t *testing.T) {
	for ip, want := range map[string]string{
		"198.51.100.7":                 "198.51.100.7",
		"198.051.100.7":                "198.051.100.7",
		"::ffff:198.51.100.7":          "198.51.100.7",
		"2001:db8:dead:beef::1":        "2001:db8:dead:beef::/64",
		"2001:db8:dead:beef:ffff::abc": "2001:db8:dead:beef::/64",
		"2001:DB8:DEAD:BEEF::2":        "2001:db8:dead:beef::/64",
		"2001:db8:dead:bef0::1":        "2001:db8:dead:bef0::/64",
		"fe80::1%eth0":                 "fe80::/64",
		"::1":                          "::/64",
		"cli":                          "cli",
		"":                             "",
	} {
		if got := storekeep.ThrottleIP(ip); got != want {
			t.Errorf("ThrottleIP(%q) = %q, want %q", ip, got, want)
		}
	}
}
