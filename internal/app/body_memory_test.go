package app_test

import (
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep/internal/server"
)

// A client that sends a request's headers, declaring the largest body the
// API takes, and then nothing, costs the server its connection and a
// buffer that grows with the bytes received, not the body it claims:
// otherwise a few hundred such connections, ~200 bytes each to send, pin
// 256 KiB apiece until the read timeout.
func TestAClaimedBodyLengthReservesNoMemoryBeforeTheBodyArrives(t *testing.T) {
	n := startNode(t)
	const conns = 200
	heap := func() int64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	head := "POST /api/2026-10/graphql.json HTTP/1.1\r\nHost: shop.example\r\nContent-Type: application/json\r\n" +
		server.PublicTokenHeader + ": " + n.public + "\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n\r\n{", server.DefaultMaxBodyBytes)
	before := heap()
	for range conns {
		c, err := net.Dial("tcp", strings.TrimPrefix(n.base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, head); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(time.Second)
	grown := heap() - before
	t.Logf("%d connections hold %d KiB of heap each", conns, grown/conns>>10)
	if perConn := grown / conns; perConn > 64<<10 {
		t.Errorf("%d connections that sent their headers and one byte of a %d-byte body hold %d KiB of heap each",
			conns, server.DefaultMaxBodyBytes, perConn>>10)
	}
}
