package outbox_test

import (
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/outbox"
	"github.com/storekeep/storekeep/internal/silentserver"
)

// A relay that accepts and never greets holds no stopping worker past its
// drain timeout: the drain's interrupt ends the send, and Run returns,
// whatever the relay's per-command timeout.
func TestWorkerRunStopsAtTheDrainTimeoutWhileTheRelayHangsBeforeGreeting(t *testing.T) {
	f := newFixture(t)
	relay := silentserver.Start(t)
	sender, err := mail.NewSMTPPool("smtp://"+relay.Addr+"?timeout=60s", 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sender.Close() })
	w := f.worker(sender, outbox.Config{PollInterval: time.Hour, DrainTimeout: 200 * time.Millisecond})
	cancel, wait := run(t, w)
	f.enqueue("a@example.com", storekeep.TemplateReset, "en")
	w.Kick()
	<-relay.Accepted
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
