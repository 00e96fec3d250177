package api_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/countersign/countersign/internal/golden"
)

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
