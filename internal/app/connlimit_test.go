package app_test

import (
	"bufio"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

// heldConn is a connection a client opened and keeps.
type heldConn struct {
	net.Conn
	r *bufio.Reader
}

func dialNode(t *testing.T, n *node) heldConn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(n.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return heldConn{c, bufio.NewReader(c)}
}

// served sends a request on c and reports whether it was answered; the
// connection stays open.
func (c heldConn) served(t *testing.T) bool {
	t.Helper()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: shop.example\r\n\r\n")); err != nil {
		return false
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// A client that opens connections and keeps them kept a goroutine and
// its buffers each on the node for as long as its timeouts allowed, and
// from one address (or the /64 an IPv6 host may send from) it could open
// them without end. A client now holds at most ConnsPerIP connections at
// once: the next is closed as it is accepted, before it is read, and a
// place comes free as soon as one of its own closes.
func TestOneClientHoldsAtMostItsConnectionsAtOnce(t *testing.T) {
	const perIP = 6
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) { c.ConnsPerIP = perIP })
	held := holdServed(t, n, perIP)
	if got := n.metric("storekeep_http_connections_refused_total"); got != 1 {
		t.Errorf("storekeep_http_connections_refused_total = %v, want 1", got)
	}
	held[0].Close()
	awaitPlace(t, n)
	for i, c := range held[1:] {
		if !c.served(t) {
			t.Fatalf("held connection %d was not served after the refusals", i+2)
		}
	}
}

// A trusted proxy's connections carry many clients: they are not counted.
func TestATrustedProxysConnectionsAreNotCounted(t *testing.T) {
	const perIP = 2
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.ConnsPerIP = perIP
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	for i := range 4 * perIP {
		if !dialNode(t, n).served(t) {
			t.Fatalf("connection %d from a trusted proxy was not served", i+1)
		}
	}
}

// However many clients hold connections, the node holds at most MaxConns
// open at once (each idle one costs it about 20 KB): a connection past
// that is closed as it is accepted, a trusted proxy's too, and a place
// comes free when any closes.
func TestTheNodeHoldsAtMostMaxConnsConnections(t *testing.T) {
	const most = 5
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.ConnsPerIP, c.MaxConns = 2, most
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	held := holdServed(t, n, most)
	if got := n.metric("storekeep_http_connections"); got != most {
		t.Errorf("storekeep_http_connections = %v, want %d", got, most)
	}
	held[0].Close()
	awaitPlace(t, n)
}

// holdServed opens count connections to n, each served, and checks that
// one more is not.
func holdServed(t *testing.T, n *node, count int) []heldConn {
	t.Helper()
	var held []heldConn
	for i := range count {
		c := dialNode(t, n)
		if !c.served(t) {
			t.Fatalf("connection %d of %d was not served", i+1, count)
		}
		held = append(held, c)
	}
	if dialNode(t, n).served(t) {
		t.Fatalf("a connection past %d held was served", count)
	}
	return held
}

// awaitPlace waits until a new connection to n is served.
func awaitPlace(t *testing.T, n *node) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !dialNode(t, n).served(t) {
		if time.Now().After(deadline) {
			t.Fatal("a connection closed by its client left no place for another")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
