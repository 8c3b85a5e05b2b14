package functions

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics counts invocations per function for Prometheus. It is the pool's
// Observer; Handler serves the text format at GET /metrics. It uses its own
// registry, never the global default, so two platforms in one process do
// not share counters.
type Metrics struct {
	reg         *prometheus.Registry
	invocations *prometheus.CounterVec
	errors      *prometheus.CounterVec
	throttles   *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	coldStarts  *prometheus.CounterVec
	initDur     *prometheus.HistogramVec
	concurrent  *prometheus.GaugeVec
}

var _ Observer = (*Metrics)(nil)

// NewMetrics builds the collectors and their registry.
func NewMetrics() *Metrics {
	fn := []string{"function"}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		invocations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "nubo", Subsystem: "function", Name: "invocations_total",
			Help: "Invocations run, including those that ended in a function error.",
		}, fn),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "nubo", Subsystem: "function", Name: "errors_total",
			Help: "Invocations that ended in a function error or a platform failure.",
		}, fn),
		throttles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "nubo", Subsystem: "function", Name: "throttles_total",
			Help: "Invocations refused for concurrency (reserved or server-wide).",
		}, fn),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "nubo", Subsystem: "function", Name: "duration_seconds",
			Help:    "Time the function spent on an invocation (excluding init).",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900},
		}, fn),
		coldStarts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "nubo", Subsystem: "function", Name: "cold_starts_total",
			Help: "Invocations that started a new instance.",
		}, fn),
		initDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "nubo", Subsystem: "function", Name: "init_duration_seconds",
			Help:    "Time a new instance took to initialise (cold starts only).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, fn),
		concurrent: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "nubo", Subsystem: "function", Name: "concurrent_executions",
			Help: "Invocations running now.",
		}, fn),
	}
	m.reg.MustRegister(m.invocations, m.errors, m.throttles, m.duration, m.coldStarts, m.initDur, m.concurrent)
	return m
}

// Invoked records one finished invocation.
func (m *Metrics) Invoked(function string, r *Result, err error) {
	m.invocations.WithLabelValues(function).Inc()
	if err != nil || (r != nil && r.FunctionError != "") {
		m.errors.WithLabelValues(function).Inc()
	}
	if r == nil {
		return
	}
	m.duration.WithLabelValues(function).Observe(r.Duration.Seconds())
	if r.ColdStart {
		m.coldStarts.WithLabelValues(function).Inc()
		m.initDur.WithLabelValues(function).Observe(r.InitDuration.Seconds())
	}
}

// Throttled records a refused invocation.
func (m *Metrics) Throttled(function string) { m.throttles.WithLabelValues(function).Inc() }

// Concurrency tracks invocations in flight.
func (m *Metrics) Concurrency(function string, delta int) {
	m.concurrent.WithLabelValues(function).Add(float64(delta))
}

// Forget drops a deleted function's series.
func (m *Metrics) Forget(function string) {
	for _, v := range []interface {
		DeleteLabelValues(...string) bool
	}{m.invocations, m.errors, m.throttles, m.duration, m.coldStarts, m.initDur, m.concurrent} {
		v.DeleteLabelValues(function)
	}
}

// Handler serves the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}
