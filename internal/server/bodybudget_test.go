package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
)

// What a BodyBudget lets clients hold: perClient bytes an IPv4 address or
// an IPv6 /64, 4 times that a /56's hosts, total in all; a body's bytes
// come back when it is released, once however often it is released.
func TestBodyBudgetSharesAndRelease(t *testing.T) {
	b := NewBodyBudget(10, 100)
	read := func(ip string, n int) (func(), error) {
		body, release := b.Hold(ip, bytes.NewReader(make([]byte, n)))
		_, err := io.ReadAll(body)
		return release, err
	}
	held, err := read("198.51.100.7", 10)
	if err != nil {
		t.Fatalf("a client's whole budget: %v", err)
	}
	if _, err := read("198.51.100.7", 1); !errors.Is(err, ErrClientBodyBudget) {
		t.Fatalf("a byte past a client's budget: %v, want ErrClientBodyBudget", err)
	}
	held()
	held()
	if b.Held() != 0 {
		t.Fatalf("%d bytes held after the body was released twice, want 0", b.Held())
	}
	site := 0
	for h := range 8 {
		if _, err := read(fmt.Sprintf("2001:db8:1:%x::1", h), 10); err == nil {
			site++
		}
	}
	if site != 4 || b.Held() != 40 {
		t.Fatalf("8 /64s of one /56, 10 bytes each: %d held their bodies (%d bytes), want 4 (40)", site, b.Held())
	}
	for i := range 6 {
		if _, err := read(fmt.Sprintf("198.51.101.%d", i), 10); err != nil {
			t.Fatalf("client %d within the node's budget: %v", i, err)
		}
	}
	if _, err := read("203.0.113.1", 1); !errors.Is(err, ErrNodeBodyBudget) {
		t.Fatalf("a byte past the node's budget: %v, want ErrNodeBodyBudget", err)
	}
}
