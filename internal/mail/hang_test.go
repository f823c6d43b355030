package mail_test

import (
	"context"
	"testing"
	"time"

	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/silentserver"
)

// silentRelay is a relay that accepts connections and never greets
// (overloaded, or a tarpit).
func silentRelay(t *testing.T) string { return silentserver.Start(t).Addr }

// Send promises that cancelling ctx aborts a send under way; that holds
// while the relay has not yet greeted as well, or a relay that hangs
// holds the outbox worker's drain, and the node's shutdown, for the whole
// per-command timeout.
func TestSMTPSenderCancelAbortsASendWaitingForTheGreeting(t *testing.T) {
	addr := silentRelay(t)
	for _, name := range []string{"sender", "pool"} {
		t.Run(name, func(t *testing.T) {
			url := "smtp://" + addr + "?timeout=60s"
			var send func(context.Context, mail.Message) error
			if name == "sender" {
				s, err := mail.NewSMTPSender(url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				send = s.Send
			} else {
				p, err := mail.NewSMTPPool(url, 2)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { p.Close() })
				send = p.Send
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			start := time.Now()
			go func() { done <- send(ctx, testMessage("ana@example.com")) }()
			time.Sleep(200 * time.Millisecond)
			cancel()
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("Send to a silent relay succeeded")
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("Send still waits %v after it started, its caller gone, for a relay that never greets", time.Since(start).Round(time.Second))
			}
		})
	}
}
