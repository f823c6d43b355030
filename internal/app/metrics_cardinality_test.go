package app_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// storekeepSeries returns the names and labels of the node's storekeep_
// series, values left out.
func (n *node) storekeepSeries(t *testing.T) []string {
	t.Helper()
	_, body := get(t, n.admin+"/metrics")
	var out []string
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "storekeep_") {
			out = append(out, line[:strings.LastIndexByte(line, ' ')])
		}
	}
	return out
}

// sendVaried sends one request of every shape a client can vary, each
// value marked with round: API versions, paths, methods, operation
// names, aliases, unknown fields, headers.
func (n *node) sendVaried(t *testing.T, round string) {
	t.Helper()
	headers := map[string]string{
		"User-Agent": "agent-" + round, "Accept-Language": "x-" + round, "Host": round + ".example",
		"X-Forwarded-For": "198.51.100." + round, "Origin": "https://" + round + ".example",
	}
	for _, version := range []string{"2019-04", "unstable", "20" + round + "-13", round} {
		n.post(recoverMutation, map[string]any{"email": "v" + round + "@example.com"}, func(r *request) { r.version = version }, withHeaders(headers))
	}
	n.post(`mutation Op`+round+` { a`+round+`: customerRecover(email: "`+round+`@example.com") { customerUserErrors { code } } }`, nil, withHeaders(headers))
	n.post(`query { f`+round+` }`, nil, withHeaders(headers))
	n.post(`{ customer(customerAccessToken: "`+round+`") { id } }`, nil, withHeaders(map[string]string{"X-Shopify-Storefront-Access-Token": "bad-" + round}))
	for _, path := range []string{"/x" + round, "/api/" + round + "/graphql.json", "/account/reset/" + round + "/t" + round, "/" + round + "/account/activate/1/t"} {
		n.rawExchange(t, "GET "+path+" HTTP/1.1\r\nHost: "+round+".example\r\nConnection: close\r\n\r\n")
	}
	n.rawExchange(t, "M"+round+" /api/2026-10/graphql.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
}

// No label takes a value from the request: a client that varies every
// value it sends (versions, paths, methods, operation names, aliases,
// headers) adds no series to /metrics, so it can neither swell a
// scraper's storage nor read what it sent back there.
func TestNoRequestValueBecomesAMetricsSeries(t *testing.T) {
	n := startNode(t)
	n.sendVaried(t, "11")
	first := n.storekeepSeries(t)
	for i := range 5 {
		n.sendVaried(t, fmt.Sprint(21+i))
	}
	if after := n.storekeepSeries(t); !slices.Equal(first, after) {
		t.Errorf("requests with other values added series:\nbefore %q\nafter  %q", first, after)
	}
	for _, s := range first {
		for _, v := range []string{"11", "example", "agent", "Op"} {
			if strings.Contains(s, v) && !strings.Contains(s, "le=") {
				t.Errorf("series %q holds %q, a value the client sent", s, v)
			}
		}
	}
}
