package api_test

import (
	"encoding/json"
	"hash/fnv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/countersign/countersign/api"
)

// The fuzz targets send fuzzed input to every operation that parses it,
// through app.Test over a real SQLite database, and check that the server
// answers it like any bad input: never a 5xx, every 4xx a JSON error, and
// still answering afterwards. Each input names its operation by operationId
// (another string picks one by hash), so the fuzz seed corpora in
// testdata/fuzz/<FuzzName>/ stay meaningful as routes are added. Run one
// longer with: go test -run '^$' -fuzz '^FuzzRequestBodies$' -fuzztime 10m ./api/

// fuzzTarget is an operation with a valid call made once, whose parts the
// fuzzer replaces.
type fuzzTarget struct {
	op   api.Operation
	path string
	call call
}

// fuzzTargets builds a server and its world, and returns the operations keep
// selects with a valid call of each.
func fuzzTargets(f *testing.F, keep func(api.Operation) bool) (*harness, *world, []fuzzTarget) {
	h := newHarness(f, api.Config{}, api.Deps{})
	w := newWorld(f, h)
	var out []fuzzTarget
	for _, op := range h.srv.Operations() {
		rec, ok := recipes[op.ID]
		if !ok {
			f.Fatalf("no recipe for %s: add one to recipes_test.go", op.ID)
		}
		if keep(op) {
			c := rec(w)
			out = append(out, fuzzTarget{op: op, path: w.fill(op, c.params), call: c})
		}
	}
	return h, w, out
}

// pick returns the target of operationId id, or one chosen by id's hash.
func pick(targets []fuzzTarget, id string) fuzzTarget {
	for _, t := range targets {
		if t.op.ID == id {
			return t
		}
	}
	sum := fnv.New32a()
	sum.Write([]byte(id))
	return targets[sum.Sum32()%uint32(len(targets))]
}

// checkAnswer fails t unless res is a 2xx with a well-formed body or a 4xx
// JSON error with a request_id, and the server still answers.
func checkAnswer(t *testing.T, h *harness, what string, res response) {
	t.Helper()
	if len(what) > 300 {
		what = what[:300] + "…"
	}
	switch {
	case res.Status >= 500 || res.Status < 200:
		t.Fatalf("%s: %d %s", what, res.Status, res.Body)
	case res.Status >= 400 && !isErrorBody(res.Body):
		t.Fatalf("%s: %d body %q is not a JSON error", what, res.Status, res.Body)
	case res.Status >= 400 && !strings.Contains(string(res.Body), `"request_id":"`):
		t.Fatalf("%s: %d body %q has no request_id", what, res.Status, res.Body)
	case res.Status < 300 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") && !json.Valid(res.Body):
		t.Fatalf("%s: %d body %q is not JSON", what, res.Status, res.Body)
	}
	if alive := h.send(t, apiRequest{Method: "GET", Path: "/healthz"}); alive.Status != 200 {
		t.Fatalf("after %s the server answers /healthz %d", what, alive.Status)
	}
}

// FuzzRequestBodies sends fuzzed JSON bodies to every operation that takes
// one; a body that is not UTF-8 is never taken.
func FuzzRequestBodies(f *testing.F) {
	h, _, targets := fuzzTargets(f, func(op api.Operation) bool { return op.Request != nil })
	for _, t := range targets { // the valid body of each: seeds the corpus wherever it is
		f.Add(t.op.ID, rawBody(f, t.call.body))
	}
	f.Fuzz(func(t *testing.T, opID string, body []byte) {
		tg := pick(targets, opID)
		res := h.send(t, apiRequest{Method: tg.op.Method, Path: tg.path, Query: tg.call.query, Token: h.owner, Body: body})
		checkAnswer(t, h, tg.op.ID+" with body "+string(body), res)
		if res.Status < 300 && !utf8.Valid(body) { // encoding/json would have stored U+FFFD
			t.Fatalf("%s took a body that is not UTF-8: %d %s", tg.op.ID, res.Status, res.Body)
		}
	})
}

// FuzzQueryStrings sends fuzzed raw query strings to every operation that
// documents query parameters (with its valid body, if it takes one).
func FuzzQueryStrings(f *testing.F) {
	h, _, targets := fuzzTargets(f, func(op api.Operation) bool { return len(op.Query) > 0 })
	for _, t := range targets {
		f.Add(t.op.ID, t.call.query)
	}
	f.Fuzz(func(t *testing.T, opID, query string) {
		tg := pick(targets, opID)
		q := requestTarget(query)
		res := h.send(t, apiRequest{Method: tg.op.Method, Path: tg.path, Query: q, Token: h.owner, Body: rawBody(t, tg.call.body)})
		checkAnswer(t, h, tg.op.ID+"?"+q, res)
	})
}

// FuzzPathParams puts fuzzed values into every path parameter of every
// operation that has one.
func FuzzPathParams(f *testing.F) {
	h, w, targets := fuzzTargets(f, func(op api.Operation) bool { return len(op.PathParams()) > 0 })
	for _, t := range targets {
		v, _ := w.param(t.op, t.op.PathParams()[0])
		f.Add(t.op.ID, v)
	}
	f.Fuzz(func(t *testing.T, opID, value string) {
		tg := pick(targets, opID)
		params := map[string]string{}
		for _, name := range tg.op.PathParams() {
			params[name] = value
		}
		path, err := w.path(tg.op, params) // a "/" or ".." may reach another route: it must answer as well
		if err != nil {
			t.Fatal(err)
		}
		res := h.send(t, apiRequest{Method: tg.op.Method, Path: path, Query: tg.call.query, Token: h.owner, Body: rawBody(t, tg.call.body)})
		checkAnswer(t, h, tg.op.ID+" at "+path, res)
	})
}

// requestTarget percent-encodes what cannot appear raw in a request line
// (controls, spaces, non-ASCII, '#'), so every fuzzed query reaches the
// server; escapes the fuzzer writes itself are kept as they are.
func requestTarget(q string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c <= ' ' || c >= 0x7f || c == '#' {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
