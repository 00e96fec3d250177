package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/countersign/countersign/api"
)

// schemaGen makes instances of the served document's schemas from the schema
// alone: an example or enum value when the schema offers one, else the least
// value its type, format and bounds allow. Full instances carry every
// optional property and parameter too; minimal ones only the required.
type schemaGen struct {
	full bool
	// large makes the largest values the schema allows: the longest strings
	// and the greatest numbers (unbounded ones far beyond any sane limit),
	// so a bound the server keeps and the document does not state shows.
	large bool
	// pin sets query parameters to these values.
	pin map[string]any
	// missing collects what the schema does not say enough about to generate.
	missing []string
}

// value returns an instance of schema s, found at where.
func (g *schemaGen) value(s map[string]any, where string) any {
	if v, ok := api.FixedExample(s); ok {
		return v
	}
	switch api.SchemaType(s) {
	case "object":
		return g.object(s, where)
	case "array":
		n := intKey(s, "minItems", 0)
		if g.full && n == 0 {
			n = 1
		}
		items, _ := s["items"].(map[string]any)
		out := []any{}
		for i := range n {
			out = append(out, g.value(items, fmt.Sprintf("%s[%d]", where, i)))
		}
		return out
	case "string":
		return g.str(s, where)
	case "integer", "number":
		n := intKey(s, "minimum", 1)
		if g.large {
			n = intKey(s, "maximum", 1<<31-1)
		}
		if maxV, ok := s["maximum"].(float64); ok && float64(n) > maxV {
			n = int(maxV)
		}
		return n
	case "boolean":
		return g.full
	case "null":
		return nil
	}
	return "example" // any value
}

// object returns an instance of an object schema.
func (g *schemaGen) object(s map[string]any, where string) map[string]any {
	out := map[string]any{}
	props, _ := s["properties"].(map[string]any)
	required := map[string]bool{}
	for _, r := range asList(s["required"]) {
		required[r.(string)] = true
	}
	if alts := asList(s["anyOf"]); len(alts) > 0 { // the first alternative's fields
		for _, r := range asList(alts[0].(map[string]any)["required"]) {
			required[r.(string)] = true
		}
	}
	for _, name := range sortedKeys(props) {
		if g.full || required[name] {
			out[name] = g.value(props[name].(map[string]any), where+"."+name)
		}
	}
	return out
}

// str returns an instance of a string schema.
func (g *schemaGen) str(s map[string]any, where string) string {
	v := "example"
	switch s["format"] {
	case "date-time":
		v = "2026-01-02T03:04:05Z"
	case "date":
		v = "2026-01-02"
	case "email":
		v = "someone@example.com"
	case "uri":
		v = "https://example.com/"
	case "uuid":
		v = "0b7e7dd6-7b3f-4c59-9f55-2d0e7c4b2a1f"
	default:
		if _, ok := s["pattern"]; ok {
			g.missing = append(g.missing, where+": a pattern without examples")
		}
	}
	least := intKey(s, "minLength", 0)
	if g.large && s["format"] == nil && s["pattern"] == nil {
		least = intKey(s, "maxLength", unboundedText)
	}
	for len(v) < least {
		v += "x"
	}
	if n := intKey(s, "maxLength", len(v)); len(v) > n {
		v = v[:n]
	}
	return v
}

// unboundedText is the length of a large string whose schema has no
// maxLength: longer than any text field the server keeps.
const unboundedText = 5000

func intKey(s map[string]any, key string, def int) int {
	if v, ok := s[key].(float64); ok {
		return int(v)
	}
	return def
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// request generates the query and body of op from its documented
// parameters and request body; path parameters come from the recipe's fixtures.
func (g *schemaGen) request(tb testing.TB, doc *openAPIDoc, op api.Operation) (query string, body []byte) {
	tb.Helper()
	m := doc.operation(tb, op)
	q := url.Values{}
	for _, p := range asList(m["parameters"]) {
		p := p.(map[string]any)
		if p["in"] != "query" || (!g.full && p["required"] != true) {
			continue
		}
		name := p["name"].(string)
		s, _ := p["schema"].(map[string]any)
		v, pinned := g.pin[name]
		if !pinned {
			v = g.value(s, "query "+name)
		}
		q.Set(name, fmt.Sprint(v))
	}
	if rb, ok := m["requestBody"].(map[string]any); ok && (g.full || rb["required"] == true) {
		s := rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
		raw, err := json.Marshal(g.value(s, "body"))
		if err != nil {
			tb.Fatal(err)
		}
		body = raw
	}
	return q.Encode(), body
}

// refusal is an allowed refusal of a schema-valid request: the field the
// error must name, and why no schema can rule the request out.
type refusal struct{ field, reason string }

// schemaRefusals are the refusals of schema-valid requests that a schema
// cannot state, by operationId: rules across query parameters, on the stored
// state or on the network, each named in the operation's or the field's
// description.
var schemaRefusals = map[string]refusal{
	"listEvents":            {"ending_before", "starting_after and ending_before exclude each other; OpenAPI cannot relate two query parameters"},
	"createWebhookEndpoint": {"url", "the url's host must resolve to a public address, a rule of the network"},
	"updateWebhookEndpoint": {"url", "the url's host must resolve to a public address, a rule of the network"},
	"createDocumentProfile": {"attributes[0].id", "an attribute id must name a stored attribute"},
	"updateDocumentProfile": {"attributes[0].id", "an attribute id must name a stored attribute"},
	"updateProcess":         {"signingProcessSteps[0].id", "a step id must name a step of the process"},
	"updateProcessStep":     {"processStepSigners[0].id", "a signer id must name a signer of the step"},
}

// TestOpenAPIGeneratedRequests sends every operation the requests the
// document alone describes (path parameters naming existing resources): a
// minimal one, a full one, one of the largest values, and one for each value
// of each enumerated parameter. A 400 or 422 means the document leaves out a
// rule the server enforces, unless schemaRefusals names it.
func TestOpenAPIGeneratedRequests(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	w := newWorld(t, h)
	doc := loadOpenAPI(t, h)
	for _, op := range h.srv.Operations() {
		rec, ok := recipes[op.ID]
		if !ok {
			t.Fatalf("no recipe for %s", op.ID)
		}
		send := func(t *testing.T, g *schemaGen, params map[string]string) {
			t.Helper()
			query, body := g.request(t, doc, op)
			if len(g.missing) > 0 {
				t.Fatalf("the document does not describe enough to generate: %s", strings.Join(g.missing, "; "))
			}
			if err := doc.checkRequest(t, op, body); err != nil {
				t.Fatalf("generated body: %v\n%s", err, body)
			}
			res := h.send(t, apiRequest{Method: op.Method, Path: w.fill(op, params), Query: query, Token: h.owner, Body: body})
			switch {
			case res.Status >= 500:
				t.Fatalf("%d %s\nquery %s body %s", res.Status, res.Body, query, body)
			case res.Status != 400 && res.Status != 422:
				return
			}
			if r, ok := schemaRefusals[op.ID]; ok && bytes.Contains(res.Body, []byte(`"field":"`+r.field+`"`)) {
				t.Logf("refused as allowed (%s): %s", r.reason, res.Body)
				return
			}
			t.Errorf("a schema-valid request was refused: %d %s\nquery %s\nbody %.2000s", res.Status, res.Body, query, body)
		}
		for _, variant := range []string{"minimal", "full", "large"} {
			t.Run(op.ID+"/"+variant, func(t *testing.T) {
				send(t, &schemaGen{full: variant != "minimal", large: variant == "large"}, rec(w).params)
			})
		}
		t.Run(op.ID+"/enums", func(t *testing.T) {
			for _, p := range asList(doc.operation(t, op)["parameters"]) {
				p := p.(map[string]any)
				name := p["name"].(string)
				for _, v := range asList(p["schema"].(map[string]any)["enum"]) {
					params := rec(w).params
					g := &schemaGen{full: true}
					if p["in"] == "path" {
						params = map[string]string{name: fmt.Sprint(v)}
					} else {
						g.pin = map[string]any{name: v}
					}
					send(t, g, params)
				}
			}
		})
	}
}
