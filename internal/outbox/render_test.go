package outbox_test

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/mail"
	"github.com/storekeep/storekeep/internal/outbox"
)

// countingRenderer renders with the real renderer and keeps the most
// renders it saw under way at once. Each render waits until that reaches
// want, or until giveUp closes, and then holds a while longer, so that a
// render the bound should have kept out overlaps with those under way.
type countingRenderer struct {
	real   outbox.Renderer
	want   int
	giveUp <-chan struct{}

	mu           sync.Mutex
	now, highest int
	reached      chan struct{}
}

func newCountingRenderer(t *testing.T, want int) *countingRenderer {
	real, err := mail.NewRenderer("")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	t.Cleanup(cancel)
	return &countingRenderer{real: real, want: want, giveUp: ctx.Done(), reached: make(chan struct{})}
}

func (c *countingRenderer) Render(shop storekeep.Shop, m storekeep.Mail, from string) (mail.Message, error) {
	c.mu.Lock()
	c.now++
	if c.now > c.highest {
		c.highest = c.now
		if c.highest == c.want {
			close(c.reached)
		}
	}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.now--
		c.mu.Unlock()
	}()
	select {
	case <-c.reached:
	case <-c.giveUp:
	}
	time.Sleep(5 * time.Millisecond)
	return c.real.Render(shop, m, from)
}

func TestWorkerRendersNoMoreAtOnceThanRenders(t *testing.T) {
	for _, tc := range []struct {
		name                string
		cpus, renders, want int
	}{
		{"one", 2, 1, 1},
		{"three", 2, 3, 3},
		{"as many as the mails", 2, 32, 32},
		{"default on 2 CPUs", 2, 0, 1},
		{"default on 3 CPUs", 3, 0, 1},
		{"default on 8 CPUs", 8, 0, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(tc.cpus))
			f := newFixture(t)
			const mails = 32
			for i := range mails {
				f.enqueue(fmt.Sprintf("c%d@example.com", i), storekeep.TemplateReset, "en")
			}
			counter := newCountingRenderer(t, tc.want)
			pool, err := mail.NewSMTPPool(f.smtp.URL(), mails)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { pool.Close() })
			w := outbox.New(f.store, f.store, counter, pool, outbox.Config{Renders: tc.renders, From: "no-reply@shop.example",
				Logger: slog.New(slog.NewTextHandler(f.logs, nil))})
			if err := w.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			f.smtp.WaitFor(t, mails, wait)
			if counter.highest != tc.want {
				t.Errorf("%d mails rendered at most %d at once, want %d", mails, counter.highest, tc.want)
			}
		})
	}
}
