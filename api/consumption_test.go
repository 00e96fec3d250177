package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/storage/storagetest"
)

func TestConsumptionSummaryCountsEveryField(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	other, otherToken := s.otherWorkspace()
	gt, lt := eventsBase, eventsBase.Add(24*time.Hour)
	storagetest.SeedConsumption(t, s.db, s.ws.WorkspaceID, other.WorkspaceID, gt, lt)
	query := "?created_gt=" + gt.Format(time.RFC3339) + "&created_lt=" + lt.Format(time.RFC3339)
	res := s.do("GET", "/v1/consumptions/summary"+query, s.owner, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("summary: %d %s", res.Status, res.Body)
	}
	// Every field of the events-report object, in its order; what
	// Countersign has no concept of is 0.
	want := `{
		"object": "events-report",
		"tenant_id": "` + s.ws.WorkspaceID + `",
		"started_transactions": 2,
		"completed_transactions": 2,
		"cancelled_transactions": 1,
		"expired_transactions": 2,
		"visas": 2,
		"read_documents": 1,
		"seals": 0,
		"sealed_documents": 0,
		"reviews": 0,
		"captures": 0,
		"signatures": 3,
		"signed_documents": 1,
		"signatures_by_required_level": {"level_0": 0, "level_1": 0, "level_2": 0, "level_3": 0, "level_4": 0},
		"signed_documents_by_required_level": {"level_0": 0, "level_1": 0, "level_2": 0, "level_3": 0, "level_4": 0},
		"transactions_by_max_level": {"level_0": 0, "level_1": 0, "level_2": 0, "level_3": 0, "level_4": 0},
		"timestamps": 0,
		"standalone_seals": 0,
		"pvid_identities_analysed": 3,
		"pvid_identities_validated": 2,
		"pvid_identities_rejected": 1,
		"certificate_creation_with_pvid": 1,
		"web_identities_analysed": 3,
		"web_identities_validated": 1,
		"web_identities_rejected": 2,
		"certificate_creation_with_web": 2
	}`
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(want)); err != nil {
		t.Fatal(err)
	}
	if string(res.Body) != compact.String() {
		t.Fatalf("report\n%s\nwant\n%s", res.Body, compact.String())
	}
	if res.Header.Get("Deprecation") != "" {
		t.Fatal("the current route says it is deprecated")
	}
	// The deprecated alias answers the same body and says where to go.
	alias := s.do("GET", "/v1/events/report"+query, s.owner, nil)
	if alias.Status != http.StatusOK || !bytes.Equal(alias.Body, res.Body) {
		t.Fatalf("alias: %d %s", alias.Status, alias.Body)
	}
	if alias.Header.Get("Deprecation") != "true" || alias.Header.Get("Link") != `</v1/consumptions/summary>; rel="successor-version"` {
		t.Fatalf("alias headers: %v", alias.Header)
	}
	// The other workspace's report counts its own events only.
	m := s.do("GET", "/v1/consumptions/summary"+query, otherToken, nil).JSON(t)
	if m["tenant_id"] != other.WorkspaceID || m["started_transactions"] != 1.0 || m["signatures"] != 1.0 || m["completed_transactions"] != 0.0 {
		t.Fatalf("other workspace's report: %v", m)
	}
}

func TestConsumptionSummaryRefusesBadPeriods(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	for _, route := range []string{"/v1/consumptions/summary", "/v1/events/report"} {
		cases := []struct {
			query  string
			status int
			field  string
		}{
			{"", 400, "created_gt"},
			{"?created_gt=2025-01-01T00:00:00Z", 400, "created_lt"},
			{"?created_lt=2025-01-01T00:00:00Z", 400, "created_gt"},
			{"?created_gt=2025-01-01&created_lt=2025-02-01T00:00:00Z", 400, "created_gt"},
			{"?created_gt=2025-01-01T00:00:00Z&created_lt=soon", 400, "created_lt"},
			{"?created_gt=2025-02-01T00:00:00Z&created_lt=2025-01-01T00:00:00Z", 422, "created_lt"},
			{"?created_gt=2025-01-01T00:00:00Z&created_lt=2025-01-01T00:00:00Z", 422, "created_lt"},
		}
		for _, tc := range cases {
			res := s.do("GET", route+tc.query, s.owner, nil)
			if res.Status != tc.status || res.ErrorField(t) != tc.field {
				t.Errorf("GET %s%s: %d %s, want %d naming %s", route, tc.query, res.Status, res.Body, tc.status, tc.field)
			}
		}
	}
}

func TestEventsReportIsDeprecatedInOpenAPI(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Deprecated  bool   `json:"deprecated"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(s.do("GET", "/v1/openapi.json", s.owner, nil).Body, &doc); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]struct {
		id         string
		deprecated bool
	}{
		"/v1/events":               {"listEvents", false},
		"/v1/events/{id}":          {"getEvent", false},
		"/v1/events/export.csv":    {"exportEvents", false},
		"/v1/consumptions/summary": {"getConsumptionSummary", false},
		"/v1/events/report":        {"getEventsReport", true},
	} {
		op := doc.Paths[path]["get"]
		if op.OperationID != want.id || op.Deprecated != want.deprecated {
			t.Errorf("GET %s: %+v, want %+v", path, op, want)
		}
	}
}
