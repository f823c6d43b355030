package app_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
)

// TestANodeHoldsRecoversWhileItsMailIsBehind stalls the node's one place of
// delivery on a relay that holds its DATA reply, lets a second recover's
// job wait three seconds on the node's clock, and checks that the next
// customerRecover is held, not answered, until the relay lets the mail
// through and the worker takes the waiting job, then answered as usual.
func TestANodeHoldsRecoversWhileItsMailIsBehind(t *testing.T) {
	release := make(chan struct{})
	relay := smtptest.Start(t, smtptest.HoldData(release))
	var once sync.Once
	open := func() { once.Do(func() { close(release) }) }
	t.Cleanup(open)
	n := startNode(t, func(c *app.Config, _ *storekeep.Shop) {
		c.SMTP = relay.URL()
		c.Outbox.Batch = 1
	})
	ctx := context.Background()
	n.signUp("ada@example.com", "first-secret-1")
	oldestDue := func() time.Time {
		due, err := n.app.Store.OldestDue(ctx, n.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return due
	}
	pending := func() int {
		count, _, err := n.app.Store.OutboxStats(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		return count
	}
	if r, p := n.recover("ada@example.com", privateAs(n, "203.0.113.7")); len(r.Errors) > 0 || len(p.CustomerUserErrors) > 0 {
		t.Fatalf("first recover: %s", r.Raw)
	}
	eventuallyTrue(t, "the first reset mail stuck in the relay", func() bool { return pending() == 1 && oldestDue().IsZero() })
	if r, p := n.recover("nobody@example.com", privateAs(n, "203.0.113.8")); len(r.Errors) > 0 || len(p.CustomerUserErrors) > 0 {
		t.Fatalf("second recover: %s", r.Raw)
	}
	if due := oldestDue(); due.IsZero() {
		t.Fatal("the second recover's job was taken; the worker's one place should be busy")
	}
	if n.app.Pace.Held() != 0 {
		t.Fatalf("%d recovers held before delivery fell behind", n.app.Pace.Held())
	}
	n.clock.Advance(3 * time.Second)
	eventuallyTrue(t, "behind", n.app.Pace.Behind)
	answered := make(chan gqlResponse, 1)
	go func() {
		r, _ := n.recover("carol@example.com", privateAs(n, "203.0.113.9"))
		answered <- r
	}()
	eventuallyTrue(t, "holding the third recover", func() bool { return n.app.Pace.Held() == 1 })
	select {
	case r := <-answered:
		t.Fatalf("answered while delivery was behind: %s", r.Raw)
	default:
	}
	open()
	select {
	case r := <-answered:
		var p payload
		r.field(t, "customerRecover", &p)
		if len(r.Errors) > 0 || len(p.CustomerUserErrors) > 0 {
			t.Errorf("held recover answered %s", r.Raw)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the held recover was not answered once delivery caught up")
	}
	if got := relay.WaitFor(t, 1, 10*time.Second); got[0].Recipients[0] != "ada@example.com" {
		t.Errorf("delivered %+v, want ada's reset mail", got[0].Recipients)
	}
}
