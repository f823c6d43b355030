package loadtest

import (
	"cmp"
	"context"
	"strconv"
	"time"
)

// resetScenario times customerReset and customerResetByUrl, alternately,
// each redeeming a fresh link: the worker first asks for a reset mail
// (not timed) and waits for it at the sink.
func (b *bench) resetScenario(ctx context.Context) ScenarioReport {
	clock := newMailClock()
	stray := b.sink.strays()
	workers, elapsed := b.run(ctx, func(ctx context.Context, w *worker) {
		i, ok := b.pool.acquire(ctx)
		if !ok {
			return
		}
		defer b.pool.release(i)
		ip := w.ips.Next()
		link, ok := b.requestLink(ctx, w, ip, b.pool.emails[i], clock)
		if !ok {
			return
		}
		start := time.Now()
		var r result
		if w.sent%2 == 0 {
			input := map[string]any{"resetToken": link.Token, "password": b.cfg.Password}
			vars := map[string]any{"id": "gid://shopify/Customer/" + strconv.FormatInt(link.CustomerID, 10), "input": input}
			r = b.api.call(ctx, ip, resetMutation, vars, "customerReset", need{customer: true, token: true})
		} else {
			vars := map[string]any{"url": link.URL, "password": b.cfg.Password}
			r = b.api.call(ctx, ip, resetByURLMutation, vars, "customerResetByUrl", need{customer: true, token: true})
		}
		w.tally.add(r, time.Since(start))
		w.sent++
	})
	b.sink.forget()
	rep := summarize(ScenarioReset, workers, elapsed)
	rep.Mail = clock.report(b.sink.strays() - stray)
	var prep tally
	var timeouts int64
	for _, w := range workers {
		prep.merge(&w.prep)
		timeouts += w.mailTimeouts
	}
	rep.Prep = &PrepReport{Recovers: prep.requests(), Counts: countsOf(&prep), MailTimeouts: timeouts, FirstError: cmp.Or(prep.firstErr, prep.firstUE)}
	return rep
}

// requestLink asks for a reset mail to email as buyer ip and waits, at
// most the mail grace, for the link in it.
func (b *bench) requestLink(ctx context.Context, w *worker, ip, email string, clock *mailClock) (resetMail, bool) {
	got := make(chan arrival, 1)
	sent := time.Now()
	cancel := b.sink.expect(email, func(a arrival) { got <- a })
	r := b.api.call(ctx, ip, recoverMutation, map[string]any{"email": email}, "customerRecover", need{})
	w.prep.add(r, time.Since(sent))
	if r.outcome != outcomeOK {
		cancel()
		return resetMail{}, false
	}
	clock.accept()
	timer := time.NewTimer(b.cfg.MailGrace)
	defer timer.Stop()
	select {
	case a := <-got:
		clock.deliver(a.At, a.At.Sub(sent))
		return a.resetMail, true
	case <-timer.C:
	case <-ctx.Done():
	}
	cancel()
	w.mailTimeouts++
	return resetMail{}, false
}
