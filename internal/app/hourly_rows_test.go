package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
)

// inAnHour is how many events limit lets through in any one hour: COUNT
// at once, then one every PERIOD/COUNT.
func inAnHour(l storekeep.Limit) int {
	every := l.Per / time.Duration(l.Count)
	return l.Count + int((time.Hour-1)/every)
}

// flood sends count calls of field(i), 30 aliases (the most a request
// may hold) to a request.
func (n *node) flood(count int, field func(i int) string) {
	n.t.Helper()
	for first := 0; first < count; first += 30 {
		var b strings.Builder
		b.WriteString("mutation {")
		for i := first; i < min(first+30, count); i++ {
			fmt.Fprintf(&b, " a%d: %s", i, field(i))
		}
		b.WriteString(" }")
		if r := n.post(b.String(), nil); len(r.Errors) > 0 && r.Errors[0].Extensions["code"] != "THROTTLED" {
			n.t.Fatalf("flood: %.300s", r.Raw)
		}
	}
}

// TestOneClientsRowsInAnHourAreBounded is one client (one IP, one shop,
// the default limits but sign-in's, which is scaled down to spare the
// hashing) asking, every minute for an hour, for more than every
// unauthenticated operation allows: recovers of unknown addresses,
// sign-ins with wrong passwords, bad reset tokens, bad links on the
// hosted pages, sign-ups and forged Multipass tokens. What it leaves in
// the audit trail, the outbox and the customers is what README's
// "Audit trail" says: each kind of row bounded by its allowance in any
// one hour, each refusal folded into one row a window per operation.
func TestOneClientsRowsInAnHourAreBounded(t *testing.T) {
	login := storekeep.Limit{Count: 6, Per: time.Minute}
	n := startMultipassNode(t, func(c *app.Config, _ *storekeep.Shop) { c.Account.LoginPerIP = login })
	def := app.DefaultConfig()
	forged := []string{strings.Repeat("A", 16385), "not base64!", "AAAA", strings.Repeat("QUFB", 32)}
	created, seq := 0, 0
	next := func() int { seq++; return seq }
	for minute := range 60 {
		burst := 1
		if minute == 0 {
			burst = 4
		}
		n.flood(30*burst, func(int) string {
			return fmt.Sprintf(`customerRecover(email: "nobody-%d@example.com") { customerUserErrors { code } }`, next())
		})
		n.flood(login.Count*2, func(int) string {
			return fmt.Sprintf(`customerAccessTokenCreate(input: {email: "nobody-%d@example.com", password: "wrong-secret-1"}) { customerUserErrors { code } }`, next())
		})
		n.flood(30*burst, func(int) string {
			return fmt.Sprintf(`customerReset(id: "gid://shopify/Customer/%d", input: {resetToken: "bad", password: "good-secret-9"}) { customerUserErrors { code } }`, 1000+next())
		})
		for range 3 + 35*(burst-1) {
			if code, _ := get(t, fmt.Sprintf("%s/account/reset/%d/%s", n.base, 1000+next(), strings.Repeat("x", 43))); code != http.StatusNotFound && code != http.StatusTooManyRequests {
				t.Fatalf("bad link answered %d", code)
			}
		}
		for range burst * 3 {
			r := n.post(createMutation, map[string]any{"input": map[string]any{"email": fmt.Sprintf("new-%d@example.com", next()), "password": "a-new-secret-1"}})
			if string(r.Data["customerCreate"]) != "null" {
				created++
			}
		}
		n.flood(70, func(i int) string {
			token := forged[1+i%(len(forged)-1)]
			if i == 0 {
				token = forged[0]
			}
			return fmt.Sprintf(`customerAccessTokenCreateWithMultipass(multipassToken: "%s") { customerUserErrors { code } }`, token)
		})
		n.clock.Advance(time.Minute)
	}

	ctx := context.Background()
	var outbox []storekeep.MailRecord
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var err error
		if outbox, err = n.app.Store.ListMail(ctx, "", 0); err != nil {
			t.Fatal(err)
		}
		pending := 0
		for _, m := range outbox {
			if m.Status == storekeep.MailPending {
				pending++
			}
		}
		if pending == 0 || time.Now().After(deadline) {
			break
		}
	}
	events, err := n.app.Store.AuditEvents(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int{}
	for _, e := range events {
		rows[string(e.Kind)+" "+e.Detail]++
		rows[string(e.Kind)]++
	}
	windows := int(time.Hour/storekeep.AuditRepeatWindow) + 1
	bounds := []struct {
		what      string
		got, most int
	}{
		{"recover rows", rows["recover_requested"], inAnHour(def.Recovery.RecoverPerIP)},
		{"recover jobs and sign-up jobs", len(outbox), inAnHour(def.Recovery.RecoverPerIP) + inAnHour(def.Account.CreatePerIP)},
		{"bad-token rows", rows["reset_failed token invalid"], inAnHour(def.Recovery.FailedTokensPerIP)},
		{"bad-link rows", rows["reset_failed hosted page: link invalid"], inAnHour(def.Recovery.FailedTokensPerIP)},
		{"failed sign-in rows", rows["login_failed"], inAnHour(login)},
		{"accounts", created, inAnHour(def.Account.CreatePerIP)},
		{"throttled rows", rows["throttled"], 6 * windows},
		{"Multipass failure rows", rows["multipass_failed"], len(forged) * windows},
	}
	total := 0
	for _, b := range bounds {
		if b.got > b.most || b.got < b.most/2 {
			t.Errorf("%s: %d in an hour, want at most %d (and the flood to reach half of it)", b.what, b.got, b.most)
		}
	}
	for _, e := range events {
		total += len(e.Kind) + len(e.IP) + len(e.UserAgent) + len(e.Detail) + len(e.RepeatKey)
	}
	if total > 1024*len(events) {
		t.Errorf("%d audit rows hold %d bytes of text, more than 1 KB a row", len(events), total)
	}
	t.Logf("rows: %v; outbox %d; accounts %d", rows, len(outbox), created)
}
