package app

import (
	"github.com/storekeep/storekeep/internal/metrics"
	"github.com/storekeep/storekeep/password"
)

// newMetrics registers the node's instruments on a fresh registry.
func (a *App) newMetrics(hasher *password.Hasher) *metrics.Metrics {
	m := metrics.New()
	out := a.Outbox.Metrics()
	m.CountFunc("storekeep_mail_sent_total", "Mails delivered.", func() float64 { return float64(out.Sent.Load()) })
	m.CountFunc("storekeep_mail_retried_total", "Delivery attempts that failed and were rescheduled.", func() float64 { return float64(out.Retried.Load()) })
	m.CountFunc("storekeep_mail_failed_total", "Mails abandoned after a permanent error or too many attempts.", func() float64 { return float64(out.Failed.Load()) })
	m.WatchOutbox(a.Store.OutboxStats, a.cfg.Now)
	m.CountFunc("storekeep_recover_held_total", "customerRecover requests held back while delivery was behind (--recover-pace).", func() float64 {
		if a.Pace == nil {
			return 0
		}
		return float64(a.Pace.Held())
	})
	m.GaugeFunc("storekeep_outbox_behind", "1 while the oldest due mail or job has waited longer than --recover-pace and customerRecover is held back.", func() float64 {
		if a.Pace != nil && a.Pace.Behind() {
			return 1
		}
		return 0
	})
	m.GaugeFunc("storekeep_password_hashes_in_flight", "Password hashes computing now.", func() float64 { return float64(hasher.InFlight()) })
	m.GaugeFunc("storekeep_password_hashes_waiting", "Callers queued for a password-hashing slot.", func() float64 { return float64(hasher.Waiting()) })
	m.CountFunc("storekeep_limiter_full_total", "New throttle keys refused because the in-memory limiter held its --limiter-keys.", func() float64 { return float64(a.limiter.local.Refused()) })
	m.GaugeFunc("storekeep_http_connections", "API connections open.", func() float64 { return float64(a.conns.Open()) })
	m.CountFunc("storekeep_http_connections_refused_total", "API connections closed as they were accepted because their client held --conns-per-ip.", func() float64 { return float64(a.conns.Refused()) })
	m.GaugeFunc("storekeep_request_body_bytes_held", "Bytes of request bodies held while they are read.", func() float64 { return float64(a.bodies.Held()) })
	m.CountFunc("storekeep_api_requests_throttled_total", "API and hosted page requests refused because their client had sent its --requests-per-ip.", func() float64 { return float64(a.requests.Throttled()) })
	m.CountFunc("storekeep_request_limiter_full_total", "API requests let through uncounted because the node's request limiter held --limiter-keys counters.", func() float64 { return float64(a.requests.Uncounted()) })
	m.CountFunc("storekeep_request_bodies_refused_total", "Request bodies refused because their client's, or the node's, bodies held at once passed their budget.", func() float64 { return float64(a.bodies.Refused()) })
	m.GaugeFunc("storekeep_limiter_degraded", "1 while the shared (Redis) limiter is unreachable and this node throttles alone.", func() float64 {
		if a.limiter.degraded() {
			return 1
		}
		return 0
	})
	return m
}
