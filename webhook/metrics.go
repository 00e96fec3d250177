package webhook

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the delivery counters and histograms served at /metrics.
type Metrics struct {
	deliveries *prometheus.CounterVec
	attempts   *prometheus.CounterVec
	latency    prometheus.Histogram
	throttled  prometheus.Counter
}

// NewMetrics creates the delivery metrics and registers them on reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "countersign_deliveries_total",
			Help: "Deliveries that reached an outcome after an attempt: delivered, retrying, failed, skipped; held: an ordered delivery found out of turn.",
		}, []string{"outcome"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "countersign_delivery_attempts_total",
			Help: "Delivery attempts made, by error class (none for a 2xx).",
		}, []string{"class"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "countersign_delivery_attempt_duration_seconds",
			Help:    "Time from sending an attempt to reading the receiver's answer.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		throttled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "countersign_delivery_throttled_total",
			Help: "Attempts postponed by an endpoint's rate limit or concurrency cap.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.deliveries, m.attempts, m.latency, m.throttled)
	}
	return m
}

// observe counts an attempt and its outcome.
func (m *Metrics) observe(rec AttemptRecord, res Result) {
	class := string(res.ErrorClass)
	if class == "" {
		class = "none"
	}
	m.attempts.WithLabelValues(class).Inc()
	m.latency.Observe(res.Latency.Seconds())
	outcome := string(rec.Status)
	if rec.Status == StatusPending {
		outcome = "retrying"
	}
	m.deliveries.WithLabelValues(outcome).Inc()
}
