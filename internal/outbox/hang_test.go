package outbox_test

import (
	"net"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/outbox"
)

// A relay that accepts and never greets holds no stopping worker past its
// drain timeout: the drain's interrupt ends the send, and Run returns,
// whatever the relay's per-command timeout.
func TestWorkerRunStopsAtTheDrainTimeoutWhileTheRelayHangsBeforeGreeting(t *testing.T) {
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	accepted := make(chan struct{}, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			accepted <- struct{}{}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	sender, err := mail.NewSMTPPool("smtp://"+ln.Addr().String()+"?timeout=60s", 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sender.Close() })
	w := f.worker(sender, outbox.Config{PollInterval: time.Hour, DrainTimeout: 200 * time.Millisecond})
	cancel, wait := run(t, w)
	f.enqueue("a@example.com", storekeep.TemplateReset, "en")
	w.Kick()
	<-accepted
	start := time.Now()
	cancel()
	done := make(chan error, 1)
	go func() { done <- wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("Run has not returned %v after it was stopped, with a drain timeout of 200ms, while the relay hangs before its greeting",
			time.Since(start).Round(time.Second))
	}
}
