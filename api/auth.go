package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
)

const localActor = "actor"

// authenticate checks the bearer API key and puts the caller in the request's
// context. Every /v1 route passes through it.
func (s *Server) authenticate(c *fiber.Ctx) error {
	if key, ctx, ok, err := s.consoleCaller(c); ok {
		if err != nil {
			return err
		}
		c.SetUserContext(ctx)
		return s.admit(c, key)
	}
	h := c.Get(fiber.HeaderAuthorization)
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="countersign"`)
		return countersign.Errorf(countersign.EUNAUTHORIZED, "missing bearer API key in the Authorization header")
	}
	key, err := s.deps.Keys.Authenticate(c.UserContext(), strings.TrimSpace(token))
	if err != nil {
		if countersign.ErrorCode(err) == countersign.EUNAUTHORIZED {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="countersign", error="invalid_token"`)
		}
		return err
	}
	return s.admit(c, key)
}

// admit puts the authenticated key in the request's context as its actor.
func (s *Server) admit(c *fiber.Ctx, key countersign.APIKey) error {
	actor := countersign.Actor{
		WorkspaceID: key.WorkspaceID, APIKeyID: key.ID, Role: key.Role,
		IP: c.IP(), ClientApp: clientApp(c),
	}
	c.Locals(localActor, actor)
	c.SetUserContext(countersign.WithActor(c.UserContext(), actor))
	return c.Next()
}

// clientApp names the calling application for the audit trail: the
// X-Client-App header, else the User-Agent.
func clientApp(c *fiber.Ctx) string {
	name := c.Get("X-Client-App")
	if name == "" {
		name = c.Get(fiber.HeaderUserAgent)
	}
	name = cleanText(name) // it is stored: UTF-8 text only
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

// actor returns the authenticated caller.
func actor(c *fiber.Ctx) countersign.Actor {
	a, _ := c.Locals(localActor).(countersign.Actor)
	return a
}

// require returns middleware that answers 403 unless the caller's role holds p.
func require(p countersign.Permission) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !actor(c).Role.Can(p) {
			return countersign.Errorf(countersign.EFORBIDDEN, "the %s role may not do this", actor(c).Role)
		}
		return c.Next()
	}
}
