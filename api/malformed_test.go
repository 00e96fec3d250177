package api_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/countersign/countersign/api"
)

// malformed is one broken request of an operation and what it must answer:
// one of statuses, with a JSON error that names field (when field is set).
type malformed struct {
	name     string
	req      apiRequest
	statuses []int
	field    string
}

// The answers of broken requests.
var (
	badRequest    = []int{400}
	refused       = []int{400, 422} // a value the API does not take: unknown enum, missing field
	unprocessable = []int{422}
	notFound      = []int{404}
)

// malformedSkips are generated cases that do not apply to one operation, by
// "operationId/case", with the reason.
var malformedSkips = map[string]string{
	// sendTestEmail renders the SigningProcess it is given; its read-only
	// status is not read, so any value is taken.
	"sendTestEmail/unknown enum status": "status is a read-only field of the SigningProcess schema, ignored",
}

// malformedExpect replaces the expectation of one generated case, by
// "operationId/case".
var malformedExpect = map[string]struct {
	statuses []int
	field    string
}{}

// TestMalformedRequests sends every operation of the server each broken
// request that applies to it: bad JSON, wrong types, unknown fields and enum
// values, oversize and missing bodies, missing required fields, bad ids in
// every path parameter, bad dates, numbers, booleans, personal codes and
// countries in the query, negative pages and huge sizes. Each must answer the
// right 4xx with a JSON error naming the field at fault, and none a 5xx.
// The cases derive from the operation list and the OpenAPI request schemas,
// so a new route is covered once it has a recipe.
func TestMalformedRequests(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	w := newWorld(t, h)
	doc := loadOpenAPI(t, h)
	seen := map[string]bool{}
	for _, op := range h.srv.Operations() {
		t.Run(op.ID, func(t *testing.T) {
			rec, ok := recipes[op.ID]
			if !ok {
				t.Fatalf("no recipe for %s: add one to recipes_test.go", op.ID)
			}
			c := rec(w)
			g := &caseGen{t: t, w: w, op: op, call: c, limit: 64 << 10}
			g.base = apiRequest{Method: op.Method, Path: w.fill(op, c.params), Query: c.query, Token: h.owner, Body: rawBody(t, c.body)}
			g.bodyCases(requestProps(t, doc, op))
			g.pathCases()
			g.queryCases()
			for _, m := range g.cases {
				key := op.ID + "/" + m.name
				seen[key] = true
				if _, skip := malformedSkips[key]; skip {
					continue
				}
				if e, ok := malformedExpect[key]; ok {
					m.statuses, m.field = e.statuses, e.field
				}
				checkMalformed(t, h, m)
			}
			// Last: a lenient body takes an unknown field and the call succeeds.
			if op.Request != nil && op.LenientBody {
				req := g.base
				req.Body = withMember(t, req.Body, "zz_unknown", 1)
				if res := h.send(t, req); res.Status != successOf(op, c) {
					t.Errorf("a lenient body with an unknown field: %d %s, want %d", res.Status, res.Body, successOf(op, c))
				}
			}
		})
	}
	t.Logf("%d malformed requests over %d operations", len(seen), len(h.srv.Operations()))
	for key := range malformedSkips {
		if !seen[key] {
			t.Errorf("malformedSkips names %s, which no longer exists", key)
		}
	}
	for key := range malformedExpect {
		if !seen[key] {
			t.Errorf("malformedExpect names %s, which no longer exists", key)
		}
	}
}

// successOf is the status a valid call of op answers.
func successOf(op api.Operation, c call) int {
	if c.status != 0 {
		return c.status
	}
	return op.SuccessStatus()
}

// checkMalformed sends m and checks the answer.
func checkMalformed(t *testing.T, h *harness, m malformed) {
	t.Helper()
	res := h.send(t, m.req)
	var b api.ErrorBody
	switch {
	case res.Status >= 500:
		t.Errorf("%s: %d %s: a server error", m.name, res.Status, res.Body)
	case !slices.Contains(m.statuses, res.Status):
		t.Errorf("%s: %d %s, want %v", m.name, res.Status, res.Body, m.statuses)
	case !isErrorBody(res.Body) || json.Unmarshal(res.Body, &b) != nil:
		t.Errorf("%s: %d body %q is not a JSON error", m.name, res.Status, res.Body)
	case m.field != "" && b.Error.Field != m.field:
		t.Errorf("%s: %d %s names field %q, want %q", m.name, res.Status, res.Body, b.Error.Field, m.field)
	case b.Error.RequestID == "":
		t.Errorf("%s: %d %s has no request_id", m.name, res.Status, res.Body)
	}
}

// property is one top-level property of a request body's documented schema.
type property struct {
	name   string
	types  []string // JSON types; empty for any
	enum   []any
	format string
}

// requestProps returns the top-level properties of op's documented request
// body schema, sorted by name.
func requestProps(t *testing.T, doc *openAPIDoc, op api.Operation) []property {
	t.Helper()
	if op.Request == nil {
		return nil
	}
	rb, _ := doc.operation(t, op)["requestBody"].(map[string]any)
	schema, _ := rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
	props, _ := schema["properties"].(map[string]any)
	var out []property
	for name, raw := range props {
		s := raw.(map[string]any)
		p := property{name: name}
		switch tp := s["type"].(type) {
		case string:
			p.types = []string{tp}
		case []any:
			for _, x := range tp {
				p.types = append(p.types, x.(string))
			}
		}
		p.enum, _ = s["enum"].([]any)
		p.format, _ = s["format"].(string)
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b property) int { return strings.Compare(a.name, b.name) })
	return out
}

// withMember returns JSON object body with member name set to v (removed
// when v is deleted).
func withMember(t *testing.T, body []byte, name string, v any) []byte {
	t.Helper()
	m := map[string]json.RawMessage{}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("valid body %s is not an object: %v", body, err)
		}
	}
	if v == deleted {
		delete(m, name)
	} else {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		m[name] = raw
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// deleted is the value withMember removes a member for.
var deleted = &struct{ deleted bool }{}

// wrongValue is a JSON value of another type than types allows, and ok false
// when any value is allowed.
func wrongValue(types []string) (any, bool) {
	if len(types) == 0 {
		return nil, false
	}
	for _, v := range []any{12345, "a string", map[string]any{"an": "object"}, []any{1}, true} {
		kind := fmt.Sprintf("%T", v)
		ok := true
		for _, tp := range types {
			switch {
			case tp == "string" && kind == "string",
				(tp == "integer" || tp == "number") && kind == "int",
				tp == "object" && strings.HasPrefix(kind, "map"),
				tp == "array" && strings.HasPrefix(kind, "[]"),
				tp == "boolean" && kind == "bool":
				ok = false
			}
		}
		if ok {
			return v, true
		}
	}
	return nil, false
}
