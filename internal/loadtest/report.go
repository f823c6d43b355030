package loadtest

import (
	"encoding/json"
	"io"
	"math"
	"time"
)

// Report is the outcome of a bench run.
type Report struct {
	URL     string `json:"url"`
	Version string `json:"version"`
	Clients int    `json:"clients"`
	// Rate is Config.Rate: requests a second of an open run, 0 for closed.
	Rate            float64          `json:"rate"`
	DurationSeconds float64          `json:"duration_seconds"`
	Seed            SeedReport       `json:"seed"`
	Scenarios       []ScenarioReport `json:"scenarios"`
}

// SeedReport describes the untimed creation of the customers.
type SeedReport struct {
	Requested  int     `json:"requested"`
	Created    int     `json:"created"`
	Seconds    float64 `json:"seconds"`
	Counts     Counts  `json:"counts"`
	FirstError string  `json:"first_error,omitempty"`
	// Drain is the wait for the outbox to empty of what the sign-ups
	// queued (each new account queues a job), so that the first scenario
	// starts from an empty outbox and its backlog is its own; nil
	// without --drain.
	Drain *DrainReport `json:"drain,omitempty"`
}

// Counts sorts requests by outcome.
type Counts struct {
	OK         int64 `json:"ok"`
	UserErrors int64 `json:"user_errors"`
	Throttled  int64 `json:"throttled"`
	Errors     int64 `json:"errors"`
}

// Latency holds percentiles and the maximum, in milliseconds.
type Latency struct {
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

// ScenarioReport is one scenario's figures. Latency covers every timed
// request; OKLatency only the successful ones.
type ScenarioReport struct {
	Name      string  `json:"name"`
	Requests  int64   `json:"requests"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"requests_per_second"`
	Latency   Latency `json:"latency"`
	OKLatency Latency `json:"ok_latency"`
	// SentLate, in an open run, is how long after they fell due the bench
	// took its requests up: its own lateness, which the latencies include.
	SentLate       *Latency     `json:"sent_late,omitempty"`
	Counts         Counts       `json:"counts"`
	FirstError     string       `json:"first_error,omitempty"`
	FirstUserError string       `json:"first_user_error,omitempty"`
	Mail           *MailReport  `json:"mail,omitempty"`
	Prep           *PrepReport  `json:"prep,omitempty"`
	Drain          *DrainReport `json:"drain,omitempty"`
	// EndToEnd and Server are measured by the recover scenario.
	EndToEnd *EndToEndReport `json:"end_to_end,omitempty"`
	Server   *ServerReport   `json:"server,omitempty"`
}

// EndToEndReport is the rate at which accepted recovers became mail in the
// sink: the reset mails the sink received for them, over the time from
// the scenario's start until the last of them arrived (the run, when it
// arrived within it). Mail the server queued but did not deliver is not
// counted.
type EndToEndReport struct {
	Delivered int64   `json:"delivered"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"per_second"`
}

// DrainReport is the wait after a scenario for the server's outbox to
// empty: how long it took and how many rows were still pending at the end
// (0 unless the wait hit its bound or failed).
type DrainReport struct {
	WaitedSeconds float64 `json:"waited_seconds"`
	Left          int     `json:"left"`
	Error         string  `json:"error,omitempty"`
}

// MailReport follows the reset mails of accepted customerRecover calls:
// how many reached the sink, and how long after the request was sent.
// Stray counts reset mails that arrived with nobody waiting for them.
type MailReport struct {
	Accepted  int64   `json:"accepted"`
	Delivered int64   `json:"delivered"`
	Missing   int64   `json:"missing"`
	Stray     int64   `json:"stray"`
	Latency   Latency `json:"recover_to_mail"`
}

// PrepReport counts the untimed customerRecover calls a reset scenario
// makes to get its links, and the mails that never came.
type PrepReport struct {
	Recovers     int64  `json:"recovers"`
	Counts       Counts `json:"counts"`
	MailTimeouts int64  `json:"mail_timeouts"`
	FirstError   string `json:"first_error,omitempty"`
}

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

func latencyOf(h *histogram) Latency {
	return Latency{P50: ms(h.Quantile(0.50)), P90: ms(h.Quantile(0.90)), P95: ms(h.Quantile(0.95)), P99: ms(h.Quantile(0.99)), Max: ms(h.Max())}
}

func countsOf(t *tally) Counts {
	return Counts{
		OK:         t.counts[outcomeOK],
		UserErrors: t.counts[outcomeUserError],
		Throttled:  t.counts[outcomeThrottled],
		Errors:     t.counts[outcomeError],
	}
}

func (m *mailClock) report(stray int64) *MailReport {
	m.mu.Lock()
	defer m.mu.Unlock()
	return &MailReport{
		Accepted:  m.accepted,
		Delivered: m.delivered,
		Missing:   m.accepted - m.delivered,
		Stray:     stray,
		Latency:   latencyOf(&m.latency),
	}
}

// endToEnd is the delivery rate of a scenario that started at start and
// whose requests took elapsed.
func (m *mailClock) endToEnd(start time.Time, elapsed time.Duration) *EndToEndReport {
	m.mu.Lock()
	defer m.mu.Unlock()
	span := max(elapsed, m.last.Sub(start))
	r := &EndToEndReport{Delivered: m.delivered, Seconds: span.Seconds()}
	if span > 0 {
		r.PerSecond = float64(m.delivered) / span.Seconds()
	}
	return r
}
