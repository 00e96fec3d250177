package api

import (
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"github.com/countersign/countersign"
)

// HeaderRequestID carries the request id in both directions.
const HeaderRequestID = "X-Request-Id"

const localRequestID = "request_id"

// httpMetrics are the request counters and latency histograms at /metrics.
type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	handler  fiber.Handler
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "countersign_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "countersign_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.latency)
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	m.handler = func(c *fiber.Ctx) error {
		fasthttpadaptor.NewFastHTTPHandler(h)(c.Context())
		return nil
	}
	return m
}

// observe gives each request an id, and logs and measures it once it is answered.
// Errors are rendered here, so the status that is logged is the one sent.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	id := strings.Clone(c.Get(HeaderRequestID)) // kept in Locals, logs and error bodies
	if !validRequestID(id) {
		id = countersign.NewUUID()
	}
	c.Locals(localRequestID, id)
	c.Set(HeaderRequestID, id)
	if err := c.Next(); err != nil {
		if herr := s.handleError(c, err); herr != nil {
			return herr
		}
	}
	status := c.Response().StatusCode()
	// After Next, Route is the last route that matched; "/" is this middleware's
	// own, meaning nothing else matched. Raw paths are never labels (cardinality).
	route := "unmatched"
	if r := c.Route(); r != nil && r.Path != "/" {
		route = r.Path
	}
	elapsed := time.Since(start)
	method := methodLabel(c.Method())
	s.metrics.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	s.metrics.latency.WithLabelValues(method, route).Observe(elapsed.Seconds())
	if s.log.Enabled(c.UserContext(), errLevel(status)) {
		s.log.LogAttrs(c.UserContext(), errLevel(status), "request",
			slog.String("request_id", id), slog.String("method", method), slog.String("path", strings.Clone(c.Path())),
			slog.Int("status", status), slog.Duration("latency", elapsed))
	}
	return nil
}

// methodLabel returns the request method as a string the program owns: Fiber's
// c.Method() borrows the request buffer, which the next request on the
// connection overwrites, so a kept label would change under the registry.
// The known methods map to constants (no allocation); anything else is one
// label, which also bounds the metric's cardinality.
func methodLabel(m string) string {
	for _, known := range knownMethods {
		if m == known {
			return known
		}
	}
	return "OTHER"
}

// knownMethods are the methods methodLabel names.
var knownMethods = [...]string{fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch,
	fiber.MethodDelete, fiber.MethodOptions, fiber.MethodConnect, fiber.MethodTrace}

// validRequestID accepts a caller's request id when it is short and plain.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// requestID returns the id observe gave the request.
func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// serveMetrics answers /metrics in the Prometheus text format.
func (s *Server) serveMetrics(c *fiber.Ctx) error { return s.metrics.handler(c) }
