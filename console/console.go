// Package console is Countersign's web console for admins and integrators:
// server-rendered pages (html/template, embedded assets, no external CDN) over
// the JSON API. Every page reads and every action writes through an API route,
// called in-process as the signed-in key, so the console can do exactly what
// the key's role can do, leaves the same audit records, and holds no rule of
// its own. It uses only the standard library; the api package mounts it.
package console

import (
	"embed"
	"log/slog"
	"net/http"
	"time"
)

//go:embed templates static
var assets embed.FS

// Config tunes the console.
type Config struct {
	// IdleTimeout ends a session unused for this long (30 minutes when 0).
	IdleTimeout time.Duration
	// MaxAge ends a session this long after sign-in (12 hours when 0).
	MaxAge time.Duration
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
}

// Console is the console's http.Handler, served under /console/.
type Console struct {
	api      API
	sessions *sessions
	log      *slog.Logger
	now      func() time.Time
	mux      *http.ServeMux
	pages    pageSet
}

// New returns the console over api.
func New(api API, cfg Config) *Console {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 12 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &Console{api: api, sessions: newSessions(cfg.IdleTimeout, cfg.MaxAge, cfg.Now), log: cfg.Logger,
		now: cfg.Now, mux: http.NewServeMux(), pages: parsePages()}
	c.routes()
	return c
}

// SessionCount is the number of live sessions.
func (c *Console) SessionCount() int { return c.sessions.count() }

// ServeHTTP sets the security headers every answer carries and routes.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	c.mux.ServeHTTP(w, r)
}

func (c *Console) routes() {
	static := http.FileServerFS(assets)
	c.mux.Handle("GET /console/static/", http.StripPrefix("/console", static))
	c.mux.HandleFunc("GET /console/sign-in", c.signInForm)
	c.mux.HandleFunc("POST /console/sign-in", c.signIn)
	c.mux.Handle("POST /console/sign-out", c.action(c.signOut))
	c.mux.Handle("GET /console/{$}", c.page(c.home))
	c.mux.Handle("GET /console/overview", c.page(c.overview))
	c.endpointRoutes()
	c.eventRoutes()
	c.deliveryRoutes()
	c.replayRoutes()
	c.processRoutes()
	c.mux.Handle("GET /console/event-types", c.page(c.eventTypes))
	c.apiKeyRoutes()
	c.mux.Handle("GET /console/usage", c.page(c.usage))
	c.mux.Handle("/console/", c.page(func(*call) error { return notFound }))
}

// home sends the key to the first page its role may read.
func (c *Console) home(k *call) error {
	if k.s.identity.Can("webhooks") {
		k.redirect("/console/overview")
	} else {
		k.redirect("/console/processes")
	}
	return nil
}
