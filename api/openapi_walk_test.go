package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/storage/storagetest"
)

// docURL names the OpenAPI document in the schema compiler.
const docURL = "https://countersign.test/openapi.json"

// openAPIDoc is the served document with a compiler that has it loaded.
type openAPIDoc struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Responses map[string]map[string]any `json:"responses"`
	} `json:"components"`
	compiler *jsonschema.Compiler
}

// loadOpenAPI fetches GET /v1/openapi.json as the owner.
func loadOpenAPI(tb testing.TB, h *harness) *openAPIDoc {
	tb.Helper()
	res := h.do("GET", "/v1/openapi.json", h.owner, nil)
	if res.Status != 200 {
		tb.Fatalf("openapi.json: %d %s", res.Status, res.Body)
	}
	var d openAPIDoc
	if err := json.Unmarshal(res.Body, &d); err != nil {
		tb.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(res.Body))
	if err != nil {
		tb.Fatal(err)
	}
	d.compiler = jsonschema.NewCompiler()
	d.compiler.DefaultDraft(jsonschema.Draft2020)
	d.compiler.AssertFormat()
	if err := d.compiler.AddResource(docURL, v); err != nil {
		tb.Fatal(err)
	}
	return &d
}

// pointer escapes a JSON pointer token.
func pointer(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// operation returns the documented operation of op, failing when there is none.
func (d *openAPIDoc) operation(tb testing.TB, op api.Operation) map[string]any {
	tb.Helper()
	raw, ok := d.Paths[op.OpenAPIPath()][strings.ToLower(op.Method)]
	if !ok {
		tb.Fatalf("%s %s is not in the document", op.Method, op.OpenAPIPath())
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatal(err)
	}
	return m
}

// validate checks body against the documented schema of op's answer of
// status with content type ct, failing when the document has none.
func (d *openAPIDoc) validate(tb testing.TB, op api.Operation, status int, ct string, body []byte) {
	tb.Helper()
	if err := d.check(tb, op, status, ct, body); err != nil {
		tb.Fatalf("%v\nbody: %s", err, body)
	}
}

// check is validate returning what is wrong.
func (d *openAPIDoc) check(tb testing.TB, op api.Operation, status int, ct string, body []byte) error {
	tb.Helper()
	resp, ok := d.operation(tb, op)["responses"].(map[string]any)[strconv.Itoa(status)].(map[string]any)
	if !ok {
		return fmt.Errorf("status %d is not a documented response", status)
	}
	loc := fmt.Sprintf("%s#/paths/%s/%s/responses/%d/content/application~1json/schema", docURL,
		pointer(op.OpenAPIPath()), strings.ToLower(op.Method), status)
	if ref, ok := resp["$ref"].(string); ok { // a shared answer
		name, _ := strings.CutPrefix(ref, "#/components/responses/")
		if resp, ok = d.Components.Responses[name]; !ok {
			return fmt.Errorf("status %d refers to %s, which the document does not have", status, ref)
		}
		loc = fmt.Sprintf("%s#/components/responses/%s/content/application~1json/schema", docURL, name)
	}
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) != 0 {
			return fmt.Errorf("status %d is documented without a body, but has one", status)
		}
		return nil
	}
	mediaType := strings.TrimSpace(strings.Split(ct, ";")[0])
	if _, ok := content[mediaType]; !ok {
		return fmt.Errorf("status %d answered Content-Type %q; documented: %v", status, ct, keys(content))
	}
	if mediaType != "application/json" {
		return nil
	}
	sch, err := d.compiler.Compile(loc)
	if err != nil {
		tb.Fatalf("compile %s: %v", loc, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("status %d body is not JSON: %w", status, err)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("status %d body does not match the documented schema: %w", status, err)
	}
	return nil
}

// checkRequest checks a valid call's body against op's documented request
// body: present when the document requires one, matching its schema.
func (d *openAPIDoc) checkRequest(tb testing.TB, op api.Operation, body []byte) error {
	tb.Helper()
	rb, documented := d.operation(tb, op)["requestBody"].(map[string]any)
	switch {
	case !documented && body != nil:
		return fmt.Errorf("the call sends a body the document does not describe")
	case !documented:
		return nil
	case body == nil && rb["required"] == true:
		return fmt.Errorf("the document requires a body the call does without")
	case body == nil:
		return nil
	}
	loc := fmt.Sprintf("%s#/paths/%s/%s/requestBody/content/application~1json/schema", docURL,
		pointer(op.OpenAPIPath()), strings.ToLower(op.Method))
	sch, err := d.compiler.Compile(loc)
	if err != nil {
		tb.Fatalf("compile %s: %v", loc, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("a valid request body does not match the documented schema: %w", err)
	}
	return nil
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// foreignByBody are operations without path ids whose valid call names
// workspace A's resources in its body or query: another workspace's key gets 404.
var foreignByBody = map[string]bool{
	"createReplay": true, "updateContact": true, "authorizeProcessAccess": true, "listSignerTasks": true,
}

// filterParams are path parameters that filter a list rather than name a
// resource: an id the workspace does not have answers an empty page, not 404
// (so another workspace's id shows nothing either).
var filterParams = map[string]bool{"documentId": true, "eventType": true, "stepsignerId": true}

// foreign reports whether op's valid call names workspace A's resources.
func foreign(op api.Operation) bool {
	if foreignByBody[op.ID] {
		return true
	}
	return slices.ContainsFunc(op.PathParams(), func(p string) bool { return !filterParams[p] })
}

// TestOpenAPIWalk walks every operation of GET /v1/openapi.json: without a
// key it is 401 (the success status for a public one); with each role the operation's permission leaves out, 403;
// with another workspace's key on workspace A's resources, 404; with A's
// owner key, the documented success status with a body that matches the
// documented schema. Every error answer matches the Error schema.
func TestOpenAPIWalk(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	w := newWorld(t, h)
	doc := loadOpenAPI(t, h)
	tokens := map[countersign.Role]string{countersign.RoleOwner: h.owner}
	for _, r := range countersign.Roles[1:] {
		tokens[r] = h.key(h.ws, r)
	}
	_, tokenB := storagetest.Workspace(t, h.db, "B")
	documented := 0
	for _, methods := range doc.Paths {
		documented += len(methods)
	}
	if ops := h.srv.Operations(); documented != len(ops) {
		t.Fatalf("the document has %d operations, the server %d", documented, len(ops))
	}
	for _, op := range h.srv.Operations() {
		t.Run(op.ID, func(t *testing.T) {
			rec, ok := recipes[op.ID]
			if !ok {
				t.Fatalf("no recipe for %s: add one to recipes_test.go", op.ID)
			}
			doc.operation(t, op)
			send := func(token string, c call) response {
				return h.send(t, apiRequest{Method: op.Method, Path: w.fill(op, c.params), Query: c.query, Token: token, Body: rawBody(t, c.body)})
			}
			expectError := func(what string, res response, want int) {
				t.Helper()
				if res.Status != want {
					t.Fatalf("%s: %d %s, want %d", what, res.Status, res.Body, want)
				}
				doc.validate(t, op, want, res.Header.Get("Content-Type"), res.Body)
			}
			if op.Public {
				if res := send("", call{}); res.Status != op.SuccessStatus() {
					t.Fatalf("public operation without a key: %d %.300s", res.Status, res.Body)
				}
			} else {
				expectError("without a key", send("", call{}), http.StatusUnauthorized)
			}
			for _, role := range countersign.Roles {
				if op.Perm != "" && !role.Can(op.Perm) {
					expectError("with a "+string(role)+" key", send(tokens[role], call{}), http.StatusForbidden)
				}
			}
			if foreign(op) {
				expectError("with another workspace's key", send(tokenB, rec(w)), http.StatusNotFound)
			} else if res := send(tokenB, rec(w)); bytes.Contains(res.Body, []byte(w.process.ID)) {
				t.Fatalf("another workspace's key sees workspace A's process: %d %s", res.Status, res.Body)
			}
			c := rec(w)
			body := rawBody(t, c.body)
			if err := doc.checkRequest(t, op, body); err != nil {
				t.Fatalf("%v\nbody: %s", err, body)
			}
			if op.OptionalBody { // the body may go: the call without it is valid too
				if err := doc.checkRequest(t, op, nil); err != nil {
					t.Fatal(err)
				}
			}
			res := send(h.owner, c)
			want := c.status
			if want == 0 {
				want = op.SuccessStatus()
			}
			if res.Status != want {
				t.Fatalf("with the owner's key: %d %s, want %d", res.Status, res.Body, want)
			}
			doc.validate(t, op, res.Status, res.Header.Get("Content-Type"), res.Body)
			for _, alt := range alternatives[op.ID] {
				c := alt(w)
				if err := doc.checkRequest(t, op, rawBody(t, c.body)); err != nil {
					t.Fatal(err)
				}
				res := send(h.owner, c)
				if res.Status != c.status {
					t.Fatalf("alternative call: %d %s, want %d", res.Status, res.Body, c.status)
				}
				doc.validate(t, op, res.Status, res.Header.Get("Content-Type"), res.Body)
			}
		})
	}
}

// alternatives are further valid calls whose answers differ from the
// recipe's: other success statuses, bodies left out.
var alternatives = map[string][]recipe{
	"createReplay": {func(w *world) call {
		c := recipes["createReplay"](w)
		c.body.(map[string]any)["dry_run"] = true
		c.status = http.StatusOK
		return c
	}},
	"rotateWebhookSecret": {func(*world) call { return call{status: http.StatusOK} }},
	"replayEvent":         {func(*world) call { return call{status: http.StatusAccepted} }},
}

// TestOpenAPIWalkValidates makes sure the walker's schema check bites: an
// answer that breaks the documented schema is refused.
func TestOpenAPIWalkValidates(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	doc := loadOpenAPI(t, h)
	ops := h.srv.Operations()
	list := ops[slices.IndexFunc(ops, func(op api.Operation) bool { return op.ID == "listAPIKeys" })]
	for _, body := range []string{`{"object":"list","data":[{"id":5}]}`, `{"object":"list"}`, `[]`} {
		if err := doc.check(t, list, 200, "application/json", []byte(body)); err == nil {
			t.Errorf("listAPIKeys answer %s passed the schema check", body)
		}
	}
	if err := doc.check(t, list, 201, "application/json", []byte(`{}`)); err == nil {
		t.Error("an undocumented status passed")
	}
	if err := doc.check(t, list, 401, "application/json", []byte(`{"error":{"code":"unauthorized"}}`)); err == nil {
		t.Error("an error without a message passed")
	}
}
