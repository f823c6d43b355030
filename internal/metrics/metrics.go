// Package metrics exposes a node's Prometheus metrics: requests by route
// and status, GraphQL fields by operation and outcome, throttles, the
// outbox's depth and age, mail delivery and the password-hashing queue.
// Labels never carry a token, an address or any other request data.
package metrics

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one node's registry and instruments.
type Metrics struct {
	registry *prometheus.Registry
	http     *prometheus.HistogramVec
	fields   *prometheus.CounterVec
}

// New returns a registry with the Go and process collectors.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		http: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "storekeep_http_request_duration_seconds",
			Help:    "HTTP requests by matched route and status code.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "code"}),
		fields: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "storekeep_graphql_fields_total",
			Help: "Root GraphQL fields executed, by operation (field name) and outcome: ok, user_error, throttled, access_denied or error.",
		}, []string{"operation", "outcome"}),
	}
	m.registry.MustRegister(m.http, m.fields,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// ObserveHTTP records one HTTP request.
func (m *Metrics) ObserveHTTP(route string, status int, elapsed time.Duration) {
	m.http.WithLabelValues(route, strconv.Itoa(status)).Observe(elapsed.Seconds())
}

// ObserveField records one root GraphQL field's outcome.
func (m *Metrics) ObserveField(operation, outcome string) {
	m.fields.WithLabelValues(operation, outcome).Inc()
}

// CountFunc exports a monotonically increasing count read at scrape time.
func (m *Metrics) CountFunc(name, help string, read func() float64) {
	m.registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, read))
}

// GaugeFunc exports a value read at scrape time.
func (m *Metrics) GaugeFunc(name, help string, read func() float64) {
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, read))
}

// OutboxCountCap is where the outbox's depth stops being counted: a scrape
// costs at most that many index entries whatever the backlog, and the gauge
// reads OutboxCountCap when at least that many mails are pending.
const OutboxCountCap = 10_000

// WatchOutbox exports the outbox's depth (mails and jobs), counted up to
// OutboxCountCap, and the age of its oldest pending row, read from stats
// at scrape time (bounded by a short timeout).
func (m *Metrics) WatchOutbox(stats func(ctx context.Context, upTo int) (int, time.Time, error), now func() time.Time) {
	m.registry.MustRegister(&outboxCollector{stats: stats, now: now})
}

var (
	outboxDepth = prometheus.NewDesc("storekeep_outbox_pending", fmt.Sprintf("Rows waiting in the outbox: mails and the jobs that make them, counted up to %d (%[1]d means at least that many).", OutboxCountCap), nil, nil)
	outboxAge   = prometheus.NewDesc("storekeep_outbox_oldest_pending_age_seconds", "Age of the oldest pending outbox row, mail or job (0 when none).", nil, nil)
)

type outboxCollector struct {
	stats func(ctx context.Context, upTo int) (int, time.Time, error)
	now   func() time.Time
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxDepth
	ch <- outboxAge
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	pending, oldest, err := c.stats(ctx, OutboxCountCap)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(outboxDepth, err)
		return
	}
	age := 0.0
	if !oldest.IsZero() {
		age = c.now().Sub(oldest).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(outboxDepth, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(outboxAge, prometheus.GaugeValue, age)
}
