package api_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
)

// caseGen generates the malformed requests of one operation from its valid call.
type caseGen struct {
	t     *testing.T
	w     *world
	op    api.Operation
	call  call
	base  apiRequest // the valid request
	limit int        // the server's body limit
	cases []malformed
}

// add records a case: base changed by edit.
func (g *caseGen) add(name string, statuses []int, field string, edit func(r *apiRequest)) {
	r := g.base
	r.Header = nil
	edit(&r)
	g.cases = append(g.cases, malformed{name: name, req: r, statuses: statuses, field: field})
}

// bodyCases breaks the request body: its syntax, its media type, its size,
// then each documented property in turn.
func (g *caseGen) bodyCases(props []property) {
	op := g.op
	if op.Request == nil {
		return
	}
	set := func(body string) func(*apiRequest) { return func(r *apiRequest) { r.Body = []byte(body) } }
	g.add("bad JSON", badRequest, "", set(`{"`))
	g.add("truncated JSON", badRequest, "", set(`{"a":[1,`))
	g.add("not an object", badRequest, "", set(`[1,2]`))
	g.add("a bare string", badRequest, "", set(`"text"`))
	g.add("trailing data", badRequest, "", func(r *apiRequest) { r.Body = append(append([]byte{}, g.base.Body...), " {}"...) })
	g.add("wrong content type", []int{415}, "", func(r *apiRequest) { r.ContentType = "text/plain" })
	g.add("no content type", []int{415}, "", func(r *apiRequest) { r.Header = map[string]string{"Content-Type": ""} })
	g.add("oversize body", []int{413}, "", set(`{"x":"`+strings.Repeat("x", g.limit)+`"}`))
	if !op.OptionalBody {
		g.add("no body", badRequest, "", func(r *apiRequest) { r.Body = nil })
	}
	if !op.LenientBody {
		g.add("unknown field", badRequest, "zz_unknown", func(r *apiRequest) { r.Body = withMember(g.t, r.Body, "zz_unknown", 1) })
	}
	for _, name := range op.BodyRequired {
		g.add("missing "+name, refused, name, func(r *apiRequest) { r.Body = withMember(g.t, r.Body, name, deleted) })
		g.add("null "+name, refused, name, func(r *apiRequest) { r.Body = withMember(g.t, r.Body, name, nil) })
	}
	has := func(name string) bool {
		return slices.ContainsFunc(props, func(p property) bool { return p.name == name })
	}
	for _, code := range []string{"personCode", "personalCode"} {
		if has(code) && has("country") {
			member := func(name string, v any) func(*apiRequest) {
				return func(r *apiRequest) { r.Body = withMember(g.t, r.Body, name, v) }
			}
			g.add("unknown country", refused, "country", member("country", "XX"))
			g.add("malformed personal code", refused, code, member(code, "abc"))
			g.add("personal code with a bad checksum", refused, code, member(code, "161175-19990"))
		}
	}
	g.textCases(props)
	for _, p := range props {
		if v, ok := wrongValue(p.types); ok {
			g.add("wrong type "+p.name, badRequest, p.name, func(r *apiRequest) { r.Body = withMember(g.t, r.Body, p.name, v) })
		}
		if len(p.enum) > 0 {
			g.add("unknown enum "+p.name, refused, p.name, func(r *apiRequest) { r.Body = withMember(g.t, r.Body, p.name, "NOT_A_VALUE") })
		}
		if p.format == "date-time" && slices.Contains(p.types, "string") {
			g.add("bad date-time "+p.name, badRequest, p.name, func(r *apiRequest) { r.Body = withMember(g.t, r.Body, p.name, "yesterday") })
		}
	}
}

// pathCases puts bad and unknown ids into each path parameter.
func (g *caseGen) pathCases() {
	for _, name := range g.op.PathParams() {
		valid, _ := g.w.param(g.op, name)
		if v, ok := g.call.params[name]; ok {
			valid = v
		}
		bad := map[string]string{"not an id": "not-an-id", "overlong id": strings.Repeat("a", 300)}
		if name == "documentId" { // free text: only its length is checked
			bad = map[string]string{"overlong id": strings.Repeat("a", 300)}
		}
		unknown := ""
		switch prefix, _, _ := strings.Cut(valid, "_"); {
		case countersign.ValidUUID(valid):
			bad["prefixed id for a UUID"] = countersign.NewID(countersign.PrefixEvent, g.w.since)
			bad["UUID with a trailing character"] = valid + "0"
			unknown = countersign.NewUUID()
		case prefix != valid && countersign.ValidID(prefix, valid):
			other := countersign.PrefixEndpoint
			if prefix == other {
				other = countersign.PrefixEvent
			}
			bad["id with another prefix"] = other + strings.TrimPrefix(valid, prefix)
			bad["UUID for a prefixed id"] = countersign.NewUUID()
			unknown = countersign.NewID(prefix, g.w.since)
		}
		for what, v := range bad {
			g.add(what+" in "+name, badRequest, name, g.withParam(name, v))
		}
		if unknown != "" && !filterParams[name] {
			g.add("unknown id in "+name, notFound, "", g.withParam(name, unknown))
		}
	}
}

// withParam sets path parameter name to v.
func (g *caseGen) withParam(name, v string) func(*apiRequest) {
	return func(r *apiRequest) {
		params := map[string]string{}
		for k, x := range g.call.params {
			params[k] = x
		}
		params[name] = v
		r.Path = g.w.fill(g.op, params)
	}
}

// idQuery are the query parameters that take an id, by operation ("" for all).
var idQuery = map[string]string{
	"api_key_id": "", "endpoint_id": "", "event_id": "", "starting_after": "", "ending_before": "",
	"signerId": "listSignerTasks",
}

// queryCases breaks each documented query parameter in turn.
func (g *caseGen) queryCases() {
	names := map[string]bool{}
	for _, q := range g.op.Query {
		names[q.Name] = true
	}
	for _, q := range g.op.Query {
		switch {
		case q.Type == "date" || q.Type == "date-time":
			g.query("bad date "+q.Name, badRequest, q.Name, q.Name, "yesterday")
			g.query("impossible date "+q.Name, badRequest, q.Name, q.Name, "2026-13-45")
		case q.Type == "integer":
			g.query("not a number "+q.Name, badRequest, q.Name, q.Name, "ten")
			g.query("negative "+q.Name, badRequest, q.Name, q.Name, "-1")
			g.query("overflowing "+q.Name, badRequest, q.Name, q.Name, "99999999999999999999")
			if q.Name != "page" {
				g.query("huge "+q.Name, badRequest, q.Name, q.Name, "100000")
				g.query("zero "+q.Name, badRequest, q.Name, q.Name, "0")
			}
		case q.Type == "boolean":
			g.query("not a boolean "+q.Name, badRequest, q.Name, q.Name, "maybe")
		case len(q.Enum) > 0:
			g.query("unknown enum "+q.Name, refused, q.Name, q.Name, "NOT_A_VALUE")
		case q.Name == "sort":
			g.query("unknown sort field", badRequest, "sort", "sort", "nosuchfield,asc")
			g.query("unknown sort direction", badRequest, "sort", "sort", "createdAt,sideways")
		}
		if op, ok := idQuery[q.Name]; ok && (op == "" || op == g.op.ID) {
			g.query("bad id "+q.Name, badRequest, q.Name, q.Name, "not-an-id")
		}
		if q.Required {
			g.query("missing "+q.Name, refused, q.Name, q.Name, "")
		}
	}
	for _, code := range []string{"personCode", "personalCode"} {
		if names[code] && names["country"] {
			g.query("unknown country", refused, "country", "country", "XX")
			g.query("malformed personal code", refused, code, code, "abc")
			g.query("personal code with a bad checksum", refused, code, code, "161175-19990")
		}
	}
}

// query adds a case with query parameter name set to v (removed when v is "").
func (g *caseGen) query(what string, statuses []int, field, name, v string) {
	g.add(what, statuses, field, func(r *apiRequest) {
		vals, err := url.ParseQuery(r.Query)
		if err != nil {
			g.t.Fatalf("valid query %q: %v", r.Query, err)
		}
		if v == "" {
			vals.Del(name)
		} else {
			vals.Set(name, v)
		}
		r.Query = vals.Encode()
	})
}
