package app_test

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep/internal/server"
)

// A client that hangs up mid-request is not a server failure: a flood of
// requests of 30 aliased fields each, cut at varying points, writes no
// ERROR line (it would otherwise write one a field, without bound).
func TestHangingUpWritesNoErrorLines(t *testing.T) {
	n := startNode(t)
	var q strings.Builder
	q.WriteString("query($token: String!) {")
	for i := range 30 {
		fmt.Fprintf(&q, " c%d: customer(customerAccessToken: $token) { id }", i)
	}
	q.WriteString(" }")
	body, _ := json.Marshal(map[string]any{"query": q.String(), "variables": map[string]any{"token": strings.Repeat("x", 43)}})
	addr := strings.TrimPrefix(n.base, "http://")
	const requests = 200
	for i := range requests {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "POST /api/2026-10/graphql.json HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%s: %s\r\nContent-Length: %d\r\n\r\n%s",
			addr, server.PublicTokenHeader, n.public, len(body), body)
		time.Sleep(time.Duration(i%20) * 20 * time.Microsecond)
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}
	n.stop()
	if logs := n.logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
		i := strings.Index(logs, `"level":"ERROR"`)
		t.Fatalf("%d hung-up requests wrote %d ERROR lines, such as %s", requests, strings.Count(logs, `"level":"ERROR"`),
			strings.SplitN(logs[i:], "\n", 2)[0])
	}
}
