// Package api is the HTTP edge of Countersign: Fiber routes, request and response
// types, bearer authentication, the one error handler that maps domain errors to
// statuses and JSON bodies, metrics and the OpenAPI document. Fiber appears in no
// other package.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/evidence"
	"github.com/countersign/countersign/webhook"
)

// KeyStore is what the API needs of API-key storage.
type KeyStore interface {
	Authenticate(ctx context.Context, token string) (countersign.APIKey, error)
	CreateAPIKey(ctx context.Context, actor countersign.Actor, name string, role countersign.Role) (countersign.APIKey, string, error)
	ListAPIKeys(ctx context.Context, workspaceID string) ([]countersign.APIKey, error)
	GetAPIKey(ctx context.Context, workspaceID, id string) (countersign.APIKey, error)
	RenameAPIKey(ctx context.Context, actor countersign.Actor, id, name string) (countersign.APIKey, error)
	DeleteAPIKey(ctx context.Context, actor countersign.Actor, id string) error
}

// Pinger answers whether a dependency is up, for /readyz.
type Pinger interface {
	Ping(ctx context.Context) error
}

// PingFunc adapts a function to Pinger.
type PingFunc func(ctx context.Context) error

// Ping calls f.
func (f PingFunc) Ping(ctx context.Context) error { return f(ctx) }

// Config tunes the HTTP server.
type Config struct {
	// BodyLimit is the largest request body accepted, in bytes.
	BodyLimit int
	// Version is reported in the OpenAPI document.
	Version string
	// ReadTimeout and WriteTimeout bound one request.
	ReadTimeout, WriteTimeout time.Duration
	// RateLimit is how many requests a second one API key may make on
	// average (429 with Retry-After beyond it); 0 means no limit.
	RateLimit float64
	// RateBurst is how many requests a key may make at once (twice RateLimit when 0).
	RateBurst int
}

// Deps are the services the handlers call.
type Deps struct {
	Keys     KeyStore
	Database Pinger
	Redis    Pinger
	Logger   *slog.Logger
	// Registry receives the HTTP metrics and serves /metrics; the caller may
	// register its own collectors on it too.
	Registry *prometheus.Registry
	// Webhooks is the webhook registry and delivery log.
	Webhooks WebhookStore
	// Guard is the SSRF policy endpoint URLs are checked against.
	Guard webhook.Guard
	// Events is the event log and its consumption report.
	Events EventLog
	// Resources stores contacts, templates, document profiles and attributes, and the audit trail.
	Resources ResourceStore
	// Audit takes the audit record of every audited operation; nil records none.
	Audit AuditRecorder
	// Processes stores signing processes and their messages.
	Processes ProcessStore
	// Registrations stores signer registrations.
	Registrations RegistrationStore
	// KeyUsage takes note of every authenticated request's key, to keep its
	// last_used_at; nil records none.
	KeyUsage KeyUsageRecorder
	// KeyLimiter counts each key's requests across all API processes; nil
	// counts them in this process.
	KeyLimiter KeyLimiter
	// Messages is the notification email outbox.
	Messages MessageStore
	// Mail sends sendTestEmail's email; nil renders it without sending.
	Mail *TestEmail
	// Evidence is the evidence log, and EvidenceKey the installation's key
	// that signs its heads; without both the evidence routes are absent.
	Evidence    EvidenceStore
	EvidenceKey *evidence.Key
}

// KeyUsageRecorder notes that an API key was used. Used is on the request
// path: it must not do I/O (coalesce, and write in the background).
type KeyUsageRecorder interface {
	Used(key countersign.APIKey)
}

// Server is the Fiber application with its routes and their OpenAPI operations.
type Server struct {
	app     *fiber.App
	cfg     Config
	deps    Deps
	log     *slog.Logger
	ops     []Operation
	metrics *httpMetrics
	v1      fiber.Router
	limiter *rateLimiter
	methods methodTable // the methods of each /v1 path, for 405 answers
}

// New builds the server and registers every route.
func New(cfg Config, deps Deps) *Server {
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 1 << 20
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 30 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Registry == nil {
		deps.Registry = prometheus.NewRegistry()
	}
	s := &Server{cfg: cfg, deps: deps, log: deps.Logger, metrics: newHTTPMetrics(deps.Registry),
		limiter: newRateLimiter(cfg.RateLimit, cfg.RateBurst, time.Now)}
	s.limiter.share(deps.KeyLimiter, deps.Registry, deps.Logger)
	s.app = fiber.New(fiber.Config{
		AppName:               "countersign",
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           2 * time.Minute,
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
	})
	s.app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	s.app.Use(s.observe)
	s.routes()
	return s
}

// App returns the Fiber application, for tests (app.Test) and embedding.
func (s *Server) App() *fiber.App { return s.app }

// Operations returns the registered operations, in registration order.
func (s *Server) Operations() []Operation { return s.ops }

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	err := s.app.Listener(ln)
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections and waits for in-flight requests to
// finish, until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.app.ShutdownWithContext(ctx)
}

// routes registers every route; each capability adds its own in its file.
func (s *Server) routes() {
	s.app.Get("/healthz", s.healthz)
	s.app.Get("/readyz", s.readyz)
	s.app.Get("/metrics", s.serveMetrics)
	s.handle(getOpenAPI, s.getOpenAPI) // public: before the group's authentication
	s.v1 = s.app.Group("/v1", s.authenticate, s.limitRate, checkQuery, s.checkMethod)
	s.apiKeyRoutes()
	s.eventTypeRoutes()
	s.eventRoutes()
	s.webhookRoutes()
	s.resourceRoutes()
	s.processRoutes()
	s.messageRoutes()
	s.evidenceRoutes()
}
