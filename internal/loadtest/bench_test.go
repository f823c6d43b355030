package loadtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/internal/mail/smtptest"
)

// runConfig runs cfg against n, failing t if the run fails.
func runConfig(t *testing.T, n *testNode, cfg Config) *Report {
	t.Helper()
	rep, err := runWith(context.Background(), cfg, n.sink)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func run(t *testing.T, n *testNode, scenarios ...string) *Report {
	t.Helper()
	rep := runConfig(t, n, n.config(scenarios...))
	var table strings.Builder
	rep.WriteTable(&table)
	t.Log("\n" + table.String())
	if rep.Seed.Created != 40 || rep.Seed.Counts.OK != 40 || rep.Seed.Counts.Errors != 0 {
		t.Fatalf("seed: %+v", rep.Seed)
	}
	if d := rep.Seed.Drain; d == nil || d.Left != 0 || d.Error != "" {
		t.Fatalf("the outbox after seeding: %+v; want the scenarios to start from an empty one", d)
	}
	if len(rep.Scenarios) != len(scenarios) {
		t.Fatalf("%d scenario reports for %v", len(rep.Scenarios), scenarios)
	}
	for _, sc := range rep.Scenarios {
		c := sc.Counts
		if sc.Requests != c.OK+c.UserErrors+c.Throttled+c.Errors || c.OK == 0 || c.Errors != 0 {
			t.Errorf("%s: %d requests, %+v, first error %q", sc.Name, sc.Requests, c, sc.FirstError)
		}
		l := sc.Latency
		if sc.PerSecond <= 0 || l.P50 <= 0 || l.P50 > l.P90 || l.P90 > l.P95 || l.P95 > l.P99 || l.P99 > l.Max {
			t.Errorf("%s: figures out of order: %.1f/s %+v", sc.Name, sc.PerSecond, sc.Latency)
		}
	}
	return rep
}

func TestRecoverScenarioSeesEveryAcceptedRecoversMail(t *testing.T) {
	n := startNode(t)
	sc := run(t, n, ScenarioRecover).Scenarios[0]
	m := sc.Mail
	if m == nil || m.Accepted != sc.Counts.OK || m.Delivered != m.Accepted || m.Missing != 0 || m.Stray != 0 {
		t.Fatalf("mail %+v for %+v", m, sc.Counts)
	}
	if sc.Counts.UserErrors != 0 || m.Latency.P50 <= 0 {
		t.Fatalf("%+v, first user error %q, mail latency %+v", sc.Counts, sc.FirstUserError, m.Latency)
	}
	if d := sc.Drain; d == nil || d.Left != 0 || d.Error != "" {
		t.Fatalf("outbox drain after the scenario: %+v", d)
	}
	e := sc.EndToEnd
	if e == nil || e.Delivered != m.Delivered || e.Seconds < sc.Seconds || e.PerSecond != float64(e.Delivered)/e.Seconds {
		t.Fatalf("end to end %+v for %d mails delivered in a %.2fs run", e, m.Delivered, sc.Seconds)
	}
	if s := sc.Server; s == nil || s.Samples == 0 || s.PeakRSSBytes <= 0 || s.Error != "" {
		t.Fatalf("server watch %+v", s)
	}
	if sc.Counts.OK > 3*40 {
		t.Fatalf("%d recovers accepted for 40 addresses allowed 3 each", sc.Counts.OK)
	}
}

// The node sends every accepted recover's mail, but to another SMTP
// server: its outbox empties, and the end-to-end figure must still be
// zero, since it counts only what reached the bench's sink.
func TestEndToEndCountsMailTheSinkReceivedNotMailQueuedOrSentElsewhere(t *testing.T) {
	elsewhere := smtptest.Start(t)
	n := startNodeMailingTo(t, elsewhere.URL())
	cfg := n.config(ScenarioRecover)
	cfg.MailGrace = 200 * time.Millisecond
	rep := runConfig(t, n, cfg)
	sc := rep.Scenarios[0]
	if sc.Counts.OK == 0 || sc.Drain == nil || sc.Drain.Left != 0 {
		t.Fatalf("%+v, drain %+v", sc.Counts, sc.Drain)
	}
	elsewhere.WaitFor(t, int(sc.Counts.OK), 10*time.Second)
	if e := sc.EndToEnd; e == nil || e.Delivered != 0 || e.PerSecond != 0 || sc.Mail.Delivered != 0 {
		t.Fatalf("end to end %+v, mail %+v, for %d accepted recovers mailed elsewhere", e, sc.Mail, sc.Counts.OK)
	}
}

func TestResetRedeemsFreshLinksAndLoginStillWorksAfterward(t *testing.T) {
	n := startNode(t)
	rep := run(t, n, ScenarioReset, ScenarioLogin)
	reset, login := rep.Scenarios[0], rep.Scenarios[1]
	p := reset.Prep
	if p == nil || p.Counts.Errors != 0 || p.MailTimeouts != 0 || p.Recovers != p.Counts.OK+p.Counts.Throttled {
		t.Fatalf("prep %+v", p)
	}
	if reset.Counts.UserErrors != 0 || reset.Requests != p.Counts.OK || reset.Mail.Delivered != reset.Requests {
		t.Fatalf("reset %+v (first user error %q), prep %+v, mail %+v", reset.Counts, reset.FirstUserError, p, reset.Mail)
	}
	if login.Counts.UserErrors != 0 || login.Counts.Throttled != 0 {
		t.Fatalf("login after resets: %+v, first user error %q", login.Counts, login.FirstUserError)
	}
}

func TestReportWritesATableAndJSON(t *testing.T) {
	n := startNode(t)
	cfg := n.config(ScenarioLogin)
	cfg.Duration = 300e6
	rep := runConfig(t, n, cfg)
	var table, js strings.Builder
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"seeded 40 of 40", "login", "req/s", "p90", "throttled"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	for _, want := range []string{`"name": "login"`, `"requests_per_second"`, `"p90_ms"`, `"p99_ms"`, `"throttled"`} {
		if !strings.Contains(js.String(), want) {
			t.Errorf("JSON lacks %q:\n%s", want, js.String())
		}
	}
	if strings.Contains(table.String(), "sent late") || strings.Contains(js.String(), "sent_late") {
		t.Errorf("a closed run reports lateness:\n%s\n%s", table.String(), js.String())
	}
}

func TestABadTokenStopsTheRunBeforeSeeding(t *testing.T) {
	n := startNode(t)
	cfg := n.config(ScenarioLogin)
	cfg.Token = "not-a-token"
	rep, err := runWith(context.Background(), cfg, n.sink)
	if err == nil || rep != nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("%v %+v", err, rep)
	}
}

// A node told to hold recovers while any due job waits at all
// (--recover-pace 1ns), its throttles lifted so that every recover of the
// scenario queues a job, holds some under the scenario's load: the bench
// reports them from the node's own counter, and every held recover's mail
// still reaches the sink. Its worker holds 8 rows, so that it soon has no
// place to take a job into and the jobs wait for a claim, where the flow
// control sees them.
func TestServerReportCountsTheRecoversTheNodeHeld(t *testing.T) {
	n := startNodeWith(t, "", func(c *app.Config) {
		c.RecoverPace = time.Nanosecond
		c.Outbox.Batch = 8
		lifted := storekeep.Limit{Count: 1_000_000, Per: time.Hour}
		c.Recovery.RecoverPerIP, c.Recovery.RecoverPerEmail, c.Recovery.RecoverPerShop = lifted, lifted, lifted
	})
	sc := run(t, n, ScenarioRecover).Scenarios[0]
	if s := sc.Server; s == nil || s.RecoversHeld <= 0 || s.Error != "" {
		t.Fatalf("server watch %+v, want recovers held", s)
	}
	if m := sc.Mail; m == nil || m.Accepted != sc.Counts.OK || m.Delivered != m.Accepted || m.Missing != 0 {
		t.Fatalf("mail %+v for %+v", m, sc.Counts)
	}
}

// A run with more clients than the node's sign-up lane lets wait
// (password: one hashing, 32 waiting) still seeds every customer: a
// create refused THROTTLED would leave the scenarios a few addresses to
// share, which measures another load than the one asked for.
func TestSeedingCreatesEveryCustomerWhateverTheClients(t *testing.T) {
	n := startNode(t)
	cfg := n.config(ScenarioRecover)
	cfg.Clients, cfg.Customers, cfg.IPsPerClient = 128, 200, 8
	cfg.Duration = 300 * time.Millisecond
	rep := runConfig(t, n, cfg)
	if s := rep.Seed; s.Created != 200 || s.Counts.Throttled != 0 || s.Counts.Errors != 0 {
		t.Fatalf("seed with 128 clients: %+v, first error %q", s, s.FirstError)
	}
}
