package api_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/workflow"
)

// TestTextTheDatabaseRefuses sends, on SQLite and PostgreSQL, a NUL character
// in every string of every request body (422, a rule on text) and a NUL or a
// byte that is not UTF-8 in every query parameter (400): PostgreSQL stores
// neither, so each must be refused naming the field, never a 500 from the store.
func TestTextTheDatabaseRefuses(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarnessOn(t, db, api.Config{}, api.Deps{})
		w := newWorld(t, h)
		doc := loadOpenAPI(t, h)
		for _, op := range h.srv.Operations() {
			rec, ok := recipes[op.ID]
			if !ok {
				t.Fatalf("no recipe for %s", op.ID)
			}
			c := rec(w)
			base := apiRequest{Method: op.Method, Path: w.fill(op, c.params), Query: c.query, Token: h.owner, Body: rawBody(t, c.body)}
			for _, p := range requestProps(t, doc, op) {
				if len(p.types) > 0 && p.types[0] == "string" && p.format == "" && len(p.enum) == 0 {
					r := base
					r.Body = withMember(t, r.Body, p.name, "a\u0000b")
					checkMalformed(t, h, malformed{name: op.ID + " NUL in " + p.name, req: r, statuses: unprocessable, field: p.name})
				}
			}
			for _, q := range op.Query {
				for what, v := range map[string]string{"NUL": "a\x00b", "not UTF-8": "a\xffb"} {
					vals, _ := url.ParseQuery(c.query)
					vals.Set(q.Name, v)
					r := base
					r.Query = vals.Encode()
					checkMalformed(t, h, malformed{name: op.ID + " " + what + " in " + q.Name, req: r, statuses: badRequest, field: q.Name})
				}
			}
		}
		// Nested strings are named by their path.
		body := processBody(func(b map[string]any) { stepSigners(b, 0)[1].(map[string]any)["signerName"] = "Two\u0000" })
		checkMalformed(t, h, malformed{name: "nested NUL", statuses: unprocessable,
			field: "signingProcessSteps[0].processStepSigners[1].signerName",
			req:   apiRequest{Method: "POST", Path: "/v1/processes", Token: h.owner, Body: rawBody(t, body)}})
	})
}

// TestClientAppIsStoredAsText checks that an X-Client-App header that is not
// UTF-8 text, or holds control characters or a bidirectional override, still
// leaves its audit record, on both databases: the name is cleaned before it is
// stored (a refused record would fail its whole batch).
func TestClientAppIsStoredAsText(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		audit := db.Resources().NewAuditWriter(nil)
		t.Cleanup(audit.Close)
		h := newHarnessOn(t, db, api.Config{}, api.Deps{Audit: audit})
		res := h.send(t, apiRequest{Method: "GET", Path: "/v1/document-attributes", Token: h.owner,
			Header: map[string]string{"X-Client-App": "app\xff\x01\u202e\u0085" + strings.Repeat("é", 300)}})
		if res.Status != 200 {
			t.Fatalf("list: %d %s", res.Status, res.Body)
		}
		if err := audit.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		records, _, err := db.Resources().ListAuditEvents(t.Context(), h.ws.WorkspaceID, workflow.AuditFilter{}, workflow.Paging{Size: 10})
		if err != nil || len(records) != 1 {
			t.Fatalf("audit records: %v %+v", err, records)
		}
		got := records[0].ClientAppName
		if !strings.HasPrefix(got, "app\uFFFD"+"é") || len([]rune(got)) != 200 {
			t.Fatalf("clientAppName %q", got)
		}
	})
}

// TestDocumentIDPathIsUnescaped: a client's document id travels escaped in
// the path of listProcessesByDocumentId and is matched unescaped; an escape
// that decodes to no text is a 400 naming it.
func TestDocumentIDPathIsUnescaped(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	p := h.expectJSON(201, "POST", "/v1/processes", h.owner, processBody(func(b map[string]any) { b["documentId"] = "doc 1/é" }))
	res := h.send(t, apiRequest{Method: "GET", Path: "/v1/documents/doc 1/é/processes", Token: h.owner})
	if res.Status != 404 { // unescaped, the "/" is another path
		t.Fatalf("an unescaped slash: %d %s", res.Status, res.Body)
	}
	// URL.Path escapes what it sends; RawPath keeps the client's own escapes.
	for raw, want := range map[string]int{"doc%201%2F%C3%A9": 200, "%FF": 400, "%00": 400} {
		res := h.sendRaw(t, "GET", "/v1/documents/"+raw+"/processes", h.owner)
		if res.Status != want || (want == 200 && !strings.Contains(string(res.Body), p["id"].(string))) {
			t.Errorf("documentId %s: %d %s, want %d", raw, res.Status, res.Body, want)
		}
	}
}
