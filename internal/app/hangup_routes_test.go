package app_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/server"
	"github.com/storekeep/storekeep/internal/silentserver"
)

// hangUpAfter sends raw on a new connection and hangs up (a FIN, as a
// browser tab closed mid-load sends) after pause, without reading the answer.
func hangUpAfter(t *testing.T, addr, raw string, pause time.Duration) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(c, raw)
	time.Sleep(pause)
	c.Close()
}

// errorLines returns the ERROR lines of logs.
func errorLines(logs string) []string {
	var out []string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, `"level":"ERROR"`) {
			out = append(out, l)
		}
	}
	return out
}

// A client that hangs up on a hosted account page is not a server
// failure, as it is not on the API: it writes no ERROR line.
func TestHangingUpOnTheHostedPagesWritesNoErrorLines(t *testing.T) {
	n := startNode(t)
	addr := strings.TrimPrefix(n.base, "http://")
	const requests = 1000
	for i := range requests {
		hangUpAfter(t, addr, fmt.Sprintf("GET /account/reset/%d/%s HTTP/1.1\r\nHost: %s\r\n\r\n", 100+i, strings.Repeat("x", 40), addr),
			time.Duration(i%30)*10*time.Microsecond)
	}
	time.Sleep(200 * time.Millisecond)
	n.stop()
	if lines := errorLines(n.logs.String()); len(lines) > 0 {
		t.Fatalf("%d hung-up page requests wrote %d ERROR lines, such as %s", requests, len(lines), lines[0])
	}
}

// A script that stops waiting on the dev mailbox's JSON list writes no
// ERROR line, on the node's logger or any other.
func TestHangingUpOnTheMailboxWritesNoErrorLines(t *testing.T) {
	defaultLogs := &syncBuffer{}
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(defaultLogs, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) { c.DevMailbox = true })
	addr := strings.TrimPrefix(n.base, "http://")
	const rounds, clients, each = 10, 8, 250
	var wg sync.WaitGroup
	for c := range rounds * clients {
		wg.Go(func() {
			for i := range each {
				hangUpAfter(t, addr, fmt.Sprintf("GET /_dev/mailbox/messages?to=nobody%d@example.com HTTP/1.1\r\nHost: localhost\r\n\r\n", c*each+i),
					time.Duration(i%30)*10*time.Microsecond)
			}
		})
	}
	wg.Wait()
	const requests = rounds * clients * each
	time.Sleep(200 * time.Millisecond)
	n.stop()
	if lines := errorLines(n.logs.String() + defaultLogs.String()); len(lines) > 0 {
		t.Fatalf("%d hung-up mailbox requests wrote %d ERROR lines, such as %s", requests, len(lines), lines[0])
	}
}

// hungRedisURL is a redis:// URL of a Redis that accepts connections and
// never answers: one that is stopped or overloaded.
func hungRedisURL(t *testing.T) string { return "redis://" + silentserver.Start(t).Addr + "/0" }

// A client that hangs up while a slow Redis keeps its sign-in waiting is
// not a server failure: it writes no ERROR line, as it would not with
// Redis down or answering.
func TestHangingUpWhileRedisHangsWritesNoErrorLines(t *testing.T) {
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) { c.Redis = hungRedisURL(t) })
	addr := strings.TrimPrefix(n.base, "http://")
	body, _ := json.Marshal(map[string]any{"query": loginMutation,
		"variables": map[string]any{"input": map[string]any{"email": "ana@example.com", "password": "first-secret-1"}}})
	const requests = 10
	var wg sync.WaitGroup
	for range requests {
		wg.Go(func() {
			hangUpAfter(t, addr, fmt.Sprintf("POST /api/2026-10/graphql.json HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%s: %s\r\nContent-Length: %d\r\n\r\n%s",
				addr, server.PublicTokenHeader, n.public, len(body), body), 50*time.Millisecond)
		})
	}
	wg.Wait()
	time.Sleep(time.Second)
	n.stop()
	if lines := errorLines(n.logs.String()); len(lines) > 0 {
		t.Fatalf("%d sign-ins hung up while Redis hung wrote %d ERROR lines, such as %s", requests, len(lines), lines[0])
	}
}
