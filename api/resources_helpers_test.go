package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/internal/golden"
	"github.com/countersign/countersign/storage"
)

// resourceDeps fills the resource store and the audit writer of deps when
// they are empty, and returns the writer it made (closed when the test ends,
// after the server has stopped), or nil when deps had one.
func resourceDeps(t *testing.T, db *storage.DB, deps *api.Deps) *storage.AuditWriter {
	t.Helper()
	if deps.Resources == nil {
		deps.Resources = db.Resources()
	}
	if deps.Audit != nil {
		return nil
	}
	w := db.Resources().NewAuditWriter(nil)
	t.Cleanup(w.Close)
	deps.Audit = w
	return w
}

// flushAudit waits until every audit record queued so far is written.
func (s *testServer) flushAudit() {
	s.t.Helper()
	if s.audit == nil {
		s.t.Fatal("flushAudit: the server records into a writer of the test's own")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.audit.Flush(ctx); err != nil {
		s.t.Fatalf("flush audit records: %v", err)
	}
}

var (
	goldenUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	goldenID   = regexp.MustCompile(`^([a-z]+)_[0-9a-z]{26}$`)
	goldenTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`)
)

// normalizeJSON replaces what differs between runs (UUIDs, prefixed ids,
// times) with placeholders.
func normalizeJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeJSON(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeJSON(e)
		}
	case string:
		switch {
		case goldenUUID.MatchString(x):
			return "<uuid>"
		case goldenID.MatchString(x):
			return "<" + goldenID.FindStringSubmatch(x)[1] + "_id>"
		case goldenTime.MatchString(x):
			return "<time>"
		}
	}
	return v
}

// checkGolden compares body, normalised, with testdata/api/name.json, or
// rewrites that file under -update.
func checkGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("golden %s: body %q is not JSON: %v", name, body, err)
	}
	golden.Check(t, "api", name+".json", golden.JSON(t, normalizeJSON(v)))
}

// resCall sends a request and fails unless it answers want.
func (s *testServer) resCall(want int, method, path, token string, body any) response {
	s.t.Helper()
	res := s.do(method, path, token, body)
	if res.Status != want {
		s.t.Fatalf("%s %s: %d %s, want %d", method, path, res.Status, res.Body, want)
	}
	return res
}

// decodeInto decodes the body of r into v.
func decodeInto(t *testing.T, r response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// doWithHeaders sends a bodiless request with extra headers.
func (s *testServer) doWithHeaders(method, path, token string, headers map[string]string) response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: raw}
}
