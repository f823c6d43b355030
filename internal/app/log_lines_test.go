package app_test

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

// rawExchange writes raw to the node's API address and reads the answer
// until the server closes the connection.
func (n *node) rawExchange(t *testing.T, raw string) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(n.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(conn)
	return firstLine(answer)
}

// Every request writes one log line, whatever its method: an HTTP method
// is any token up to the 64 KiB a request's head may hold, and a client
// must not make each of its requests a log line that size, in the JSON
// format or the text one.
func TestARequestsLogLineIsShortWhateverItsMethod(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			logs := &syncBuffer{}
			n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
				if format == "text" {
					c.Logger = slog.New(slog.NewTextHandler(logs, nil))
				} else {
					c.Logger = slog.New(slog.NewJSONHandler(logs, nil))
				}
			})
			method := "X" + strings.Repeat("~", 48<<10)
			for _, path := range []string{"/api/2026-10/graphql.json", "/healthz", "/nowhere"} {
				if status := n.rawExchange(t, method+" "+path+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(status, "HTTP/1.1 4") {
					t.Errorf("%s: answered %q", path, status)
				}
			}
			lines := 0
			sc := bufio.NewScanner(strings.NewReader(logs.String()))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				if !strings.Contains(sc.Text(), "request") || !strings.Contains(sc.Text(), "route") {
					continue
				}
				lines++
				if len(sc.Text()) > 1024 {
					t.Errorf("a request's log line is %d bytes: %.120s...", len(sc.Text()), sc.Text())
				}
			}
			if lines != 3 {
				t.Errorf("3 requests logged %d request lines:\n%.2000s", lines, logs.String())
			}
		})
	}
}

// A field that fails inside the node is logged with its path, which holds
// the aliases the client chose: a GraphQL name has no length limit but the
// body's, so a client whose requests fail (the node's database is down, or
// overloaded) must not turn each into a log line of a few hundred KB.
func TestAFailedFieldsLogLineIsShortWhateverItsAlias(t *testing.T) {
	n := startNode(t)
	n.serveErrorExpected = true
	n.recover("warm@example.com") // the token is then found in the node's cache for a second
	n.app.Store.Close()
	alias := "a" + strings.Repeat("b", 200<<10)
	r := n.post(`mutation { `+alias+`: customerRecover(email: "someone@example.com") { customerUserErrors { code } } }`, nil)
	if len(r.Errors) == 0 {
		t.Fatalf("a recover with the database closed: %.200s", r.Raw)
	}
	failed := 0
	for _, line := range strings.Split(n.logs.String(), "\n") {
		if strings.Contains(line, "graphql field failed") {
			failed++
			if len(line) > 2048 {
				t.Errorf("a failed field's log line is %d bytes: %.160s...", len(line), line)
			}
		}
	}
	if failed != 1 {
		t.Errorf("%d lines for the failed field, want 1:\n%.1000s", failed, n.logs.String())
	}
}
