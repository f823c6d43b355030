package server

import (
	"net/http/httptest"
	"testing"

	"github.com/storekeep/storekeep"
)

func TestClientIPHonoursBuyerIPOnlyWithPrivateTokens(t *testing.T) {
	proxies, err := ParsePrefixes("10.0.0.0/8, 192.168.1.1")
	if err != nil {
		t.Fatal(err)
	}
	public := storekeep.APIToken{Kind: storekeep.APITokenPublic}
	private := storekeep.APIToken{Kind: storekeep.APITokenPrivate}
	cases := []struct {
		name    string
		remote  string
		headers map[string]string
		token   storekeep.APIToken
		trust   bool
		want    string
	}{
		{"peer address", "203.0.113.9:5000", nil, public, false, "203.0.113.9"},
		{"public token ignores buyer IP", "203.0.113.9:5000", map[string]string{BuyerIPHeader: "198.51.100.7"}, public, false, "203.0.113.9"},
		{"private token names buyer", "203.0.113.9:5000", map[string]string{BuyerIPHeader: "198.51.100.7"}, private, false, "198.51.100.7"},
		{"private token, junk buyer IP", "203.0.113.9:5000", map[string]string{BuyerIPHeader: "nope"}, private, false, "203.0.113.9"},
		{"untrusted peer's forwarded header ignored", "203.0.113.9:5000", map[string]string{"X-Forwarded-For": "198.51.100.7"}, public, false, "203.0.113.9"},
		{"trusted proxy forwards", "10.1.2.3:5000", map[string]string{"X-Forwarded-For": "198.51.100.7, 192.168.1.1"}, public, true, "198.51.100.7"},
		{"spoofed left hop not believed", "10.1.2.3:5000", map[string]string{"X-Forwarded-For": "1.1.1.1, 198.51.100.7"}, public, true, "198.51.100.7"},
		{"ipv4-mapped ipv6 peer", "[::ffff:203.0.113.9]:5000", nil, public, false, "203.0.113.9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			r.RemoteAddr = c.remote
			for k, v := range c.headers {
				r.Header.Set(k, v)
			}
			ip := ClientIP{}
			if c.trust {
				ip.TrustedProxies = proxies
			}
			if got := ip.Of(r, c.token); got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
}
