// Package silentserver is a TCP server for tests that accepts connections
// and never says a word: a relay, Redis or database that hangs (stopped,
// overloaded, a tarpit, a link that drops packets).
package silentserver

import (
	"net"
	"sync"
	"testing"
)

// Server is a listener on loopback that accepts and stays silent.
type Server struct {
	// Addr is the listener's host:port.
	Addr string
	// Accepted receives a value for each connection accepted, when there
	// is room in its buffer of 16.
	Accepted <-chan struct{}
}

// Start listens on a free loopback port until t ends, then closes the
// listener and every connection it accepted.
func Start(t testing.TB) Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan struct{}, 16)
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			select {
			case accepted <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return Server{Addr: ln.Addr().String(), Accepted: accepted}
}
