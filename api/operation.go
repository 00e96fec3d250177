package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// Operation describes one route for both the router and the OpenAPI document,
// so the document cannot miss a route.
type Operation struct {
	ID      string // operationId
	Method  string
	Path    string // Fiber pattern under the app root, e.g. /v1/api-keys/:id
	Summary string
	Tag     string
	// Perm is the permission the route requires; "" means any valid key.
	Perm countersign.Permission
	// Request is a zero value of the JSON body type, nil when there is none.
	Request any
	// OptionalBody says the request body may be left out (it is required otherwise).
	OptionalBody bool
	// LenientBody says the body is decoded with decodeLenient: unknown fields
	// are ignored, so the document does not forbid them.
	LenientBody bool
	// BodyRequired names the body's top-level fields a request must send.
	BodyRequired []string
	// Response is a zero value of the success body type, nil for an empty body.
	Response any
	// Status is the success status (200 when zero).
	Status int
	// OtherStatuses are further success statuses answered with the same body
	// (createReplay answers a dry run 200, a replay 202).
	OtherStatuses []int
	// ContentType of the success body when it is not JSON (e.g. text/csv).
	ContentType string
	// Example is the example success body when it is not JSON (JSON bodies'
	// examples are made from their schemas).
	Example string
	// Query documents the query parameters.
	Query []Param
	// Deprecated marks an alias kept for old clients.
	Deprecated bool
	// Audit, when set, is the audit-trail type of the record every 2xx answer leaves.
	Audit workflow.AuditType
	// Public says the route needs no API key (and reads none): it is
	// registered ahead of /v1's authentication, rate limit and query checks.
	Public bool
}

// Param documents one query parameter.
type Param struct {
	Name        string
	Type        string // string, integer, boolean, number, date-time, date
	Description string
	Required    bool
	Enum        []string
}

// SuccessStatus is the operation's success status.
func (op Operation) SuccessStatus() int {
	if op.Status == 0 {
		return fiber.StatusOK
	}
	return op.Status
}

// PathParams returns the names of the path's parameters, in order.
func (op Operation) PathParams() []string {
	var names []string
	for _, seg := range strings.Split(op.Path, "/") {
		if name, ok := strings.CutPrefix(seg, ":"); ok {
			names = append(names, strings.TrimSuffix(name, "?"))
		}
	}
	return names
}

// OpenAPIPath is the path in OpenAPI's {param} form.
func (op Operation) OpenAPIPath() string {
	segs := strings.Split(op.Path, "/")
	for i, seg := range segs {
		if name, ok := strings.CutPrefix(seg, ":"); ok {
			segs[i] = "{" + name + "}"
		}
	}
	return strings.Join(segs, "/")
}

// handle registers op's route with its permission check and records it for
// the OpenAPI document. Routes under /v1 are authenticated, but for public
// ones, which must be handled before s.v1 exists.
func (s *Server) handle(op Operation, h fiber.Handler) {
	s.ops = append(s.ops, op)
	s.methods.add(op)
	if op.Public {
		if s.v1 != nil {
			panic("api: public operation " + op.ID + " registered after the authenticated group")
		}
		s.app.Add(op.Method, op.Path, h)
		return
	}
	handlers := []fiber.Handler{}
	if op.Perm != "" {
		handlers = append(handlers, require(op.Perm))
	}
	if op.Audit != "" && s.deps.Audit != nil {
		handlers = append(handlers, s.audited(op))
	}
	handlers = append(handlers, h)
	path, ok := strings.CutPrefix(op.Path, "/v1")
	if !ok {
		panic("api: operation " + op.ID + " is not under /v1")
	}
	s.v1.Add(op.Method, path, handlers...)
}
