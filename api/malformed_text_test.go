package api_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"testing"
)

// textCases breaks the text of the body, whatever the operation: a member
// sent twice, and a string that is not UTF-8, holds a lone UTF-16 surrogate,
// a control character or a bidirectional override. The decoder refuses each
// before any handler sees the body, so every operation answers alike.
func (g *caseGen) textCases(props []property) {
	dup := g.firstMember()
	if dup == "" && len(props) > 0 {
		dup = props[0].name
	}
	if dup != "" {
		g.add("duplicate member "+dup, badRequest, dup, func(r *apiRequest) {
			r.Body = append([]byte(`{"`+dup+`":null,`), bytes.TrimPrefix(r.Body, []byte("{"))...)
			if bytes.Equal(r.Body[len(r.Body)-2:], []byte(",}")) { // the valid body was {}
				r.Body = append(r.Body[:len(r.Body)-2], '}')
			}
		})
	}
	var text string // the first free string property: no format, no enum
	for _, p := range props {
		if len(p.types) > 0 && p.types[0] == "string" && p.format == "" && len(p.enum) == 0 {
			text = p.name
			break
		}
	}
	if text == "" {
		return
	}
	raw := func(v string) func(*apiRequest) {
		return func(r *apiRequest) { r.Body = withRawMember(g.t, r.Body, text, v) }
	}
	g.add("invalid UTF-8 in "+text, badRequest, text, raw("\"a\xffb\""))
	g.add("lone surrogate in "+text, badRequest, text, raw(`"a\ud800b"`))
	g.add("control character in "+text, unprocessable, text, raw(`"a\u0007b"`))
	g.add("bidi override in "+text, unprocessable, text, raw(`"a\u202eb"`))
}

// firstMember is the first member, in sorted order, of the valid body.
func (g *caseGen) firstMember() string {
	var m map[string]json.RawMessage
	if json.Unmarshal(g.base.Body, &m) != nil || len(m) == 0 {
		return ""
	}
	return slices.Sorted(maps.Keys(m))[0]
}

// withRawMember returns JSON object body with member name set to the raw
// JSON text v, which is sent as it is (json.Marshal would repair it).
func withRawMember(t *testing.T, body []byte, name, v string) []byte {
	t.Helper()
	const mark = "\"raw-member-placeholder\""
	out := withMember(t, body, name, json.RawMessage(mark))
	return bytes.Replace(out, []byte(mark), []byte(v), 1)
}
