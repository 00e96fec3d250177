package api

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// The methods each path defines, for 405 answers. Fiber's router tries the
// routes of the request's method only, so a request whose path has no route
// of its method falls through to a route of that method with a parameter in
// the same place: PUT /v1/processes/search reached PUT
// /v1/processes/{processId} and answered 400 "processId must be a UUID". The
// table below matches paths the way routers that prefer fixed segments do
// (the most specific path wins, whatever the method) and answers 405 with
// Allow when that path does not define the method.

// allowOrder is the order Allow lists methods in.
var allowOrder = []string{fiber.MethodGet, fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch, fiber.MethodDelete}

// pathMethods is one path of the operation list with the methods defined on it.
type pathMethods struct {
	segments []string // fixed segments in lower case; "" where a parameter is
	methods  []string
	allow    string // the Allow header: methods in allowOrder
}

// methodTable holds every path of the operations under /v1.
type methodTable struct {
	paths []*pathMethods
}

// add records op's method on its path; paths that differ only in the names
// of their parameters are one path.
func (t *methodTable) add(op Operation) {
	segs := pathSegments(op.Path)
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			segs[i] = ""
		}
	}
	i := slices.IndexFunc(t.paths, func(p *pathMethods) bool { return slices.Equal(p.segments, segs) })
	if i < 0 {
		t.paths = append(t.paths, &pathMethods{segments: segs})
		i = len(t.paths) - 1
	}
	p := t.paths[i]
	if !slices.Contains(p.methods, op.Method) {
		p.methods = append(p.methods, op.Method)
		slices.SortStableFunc(p.methods, func(a, b string) int { return methodRank(a) - methodRank(b) })
		p.allow = strings.Join(p.methods, ", ")
	}
}

// methodRank is m's place in allowOrder; other methods come after, in the
// order they were added.
func methodRank(m string) int {
	if i := slices.Index(allowOrder, m); i >= 0 {
		return i
	}
	return len(allowOrder)
}

// match returns the most specific path that path matches, nil for none: of
// two, the one with a fixed segment where the other has a parameter, first
// from the left. Fixed segments match regardless of case and a trailing
// slash is ignored, as in Fiber's default routing.
func (t *methodTable) match(path string) *pathMethods {
	segs := pathSegments(path)
	var best *pathMethods
	for _, p := range t.paths {
		if len(p.segments) != len(segs) || !p.matches(segs) {
			continue
		}
		if best == nil || p.moreSpecific(best) {
			best = p
		}
	}
	return best
}

// matches reports whether each segment of the request is p's fixed segment
// or a parameter's value.
func (p *pathMethods) matches(segs []string) bool {
	for i, s := range p.segments {
		if s != "" && !strings.EqualFold(s, segs[i]) {
			return false
		}
		if s == "" && segs[i] == "" {
			return false // a parameter takes a value
		}
	}
	return true
}

// moreSpecific reports whether p has a fixed segment where o, of the same
// length, first has a parameter.
func (p *pathMethods) moreSpecific(o *pathMethods) bool {
	for i := range p.segments {
		if (p.segments[i] == "") != (o.segments[i] == "") {
			return p.segments[i] != ""
		}
	}
	return false
}

// pathSegments splits a path at "/", without its leading and trailing slash.
func pathSegments(path string) []string {
	return strings.Split(strings.ToLower(strings.Trim(path, "/")), "/")
}

// checkMethod answers 405 with Allow when the path the request matches best
// does not define its method. Every /v1 route passes through it; a path no
// operation has is left to the router (404).
func (s *Server) checkMethod(c *fiber.Ctx) error {
	p := s.methods.match(c.Path())
	if p == nil || slices.Contains(p.methods, c.Method()) {
		return c.Next()
	}
	c.Set(fiber.HeaderAllow, p.allow)
	return fiber.ErrMethodNotAllowed
}
