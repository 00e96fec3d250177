package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

// healthz answers 200 while the process is alive.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz answers 200 when the database and Redis both answer, 503 naming the
// one that does not otherwise.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	checks := fiber.Map{}
	ready := true
	for name, p := range map[string]Pinger{"database": s.deps.Database, "redis": s.deps.Redis} {
		if p == nil {
			continue
		}
		if err := p.Ping(ctx); err != nil {
			checks[name] = "unavailable"
			ready = false
			continue
		}
		checks[name] = "ok"
	}
	if !ready {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "checks": checks})
	}
	return c.JSON(fiber.Map{"status": "ok", "checks": checks})
}
