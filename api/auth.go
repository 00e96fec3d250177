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
	token, ok := bearerToken(c.Get(fiber.HeaderAuthorization))
	if !ok {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="countersign"`)
		return countersign.Errorf(countersign.EUNAUTHORIZED, "missing bearer API key in the Authorization header")
	}
	key, err := s.deps.Keys.Authenticate(c.UserContext(), token)
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
		// The actor outlives the handler (audit writer, events, goroutines):
		// it holds copies, never Fiber's borrowed request strings.
		IP: strings.Clone(c.IP()), ClientApp: strings.Clone(clientApp(c)),
	}
	if s.deps.KeyUsage != nil {
		s.deps.KeyUsage.Used(key)
	}
	c.Locals(localActor, actor)
	c.SetUserContext(countersign.WithActor(c.UserContext(), actor))
	return c.Next()
}

// bearerToken returns the token of an Authorization header of the Bearer
// scheme, whose name is case-insensitive (RFC 7235) and followed by one or
// more spaces.
func bearerToken(h string) (string, bool) {
	scheme, token, ok := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
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
