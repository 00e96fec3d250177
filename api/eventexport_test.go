package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage/storagetest"
)

var csvHeader = []string{"id", "type", "created_at", "workspace_id", "api_key_id", "resource_id", "data"}

// exportCSV gets the export of query and parses it back, checking the headers.
func (s *harness) exportCSV(query string) [][]string {
	s.t.Helper()
	res := s.do("GET", "/v1/events/export.csv?"+query, s.owner, nil)
	if res.Status != http.StatusOK {
		s.t.Fatalf("export: %d %s", res.Status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		s.t.Fatalf("Content-Type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="events-`) || !strings.HasSuffix(cd, `.csv"`) {
		s.t.Fatalf("Content-Disposition %q", cd)
	}
	r := csv.NewReader(bytes.NewReader(res.Body))
	r.FieldsPerRecord = len(csvHeader)
	records, err := r.ReadAll()
	if err != nil {
		s.t.Fatalf("the export is not RFC 4180 CSV: %v\n%s", err, res.Body)
	}
	if len(records) == 0 || !slices.Equal(records[0], csvHeader) {
		s.t.Fatalf("header %v, want %v", records, csvHeader)
	}
	return records[1:]
}

func TestExportEventsIsCSVOfTheSearch(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	tricky := map[string]string{"comma": "a,b", "quote": `say "hi"`, "newline": "line 1\nline 2\r\nline 3", "unicode": "Zoë ✓"}
	evs := storagetest.InsertEvents(t, s.db,
		storagetest.Event{Type: events.ActionClosed, WorkspaceID: s.ws.WorkspaceID, APIKeyID: s.ws.APIKeyID, ResourceID: "p,1",
			CreatedAt: eventsBase, Data: tricky},
		storagetest.Event{Type: events.ActionReminderSent, WorkspaceID: s.ws.WorkspaceID, CreatedAt: eventsBase.Add(time.Second),
			Data: events.ActionData{ProcessID: "p2"}},
		storagetest.Event{Type: events.ActionOpened, WorkspaceID: s.ws.WorkspaceID, CreatedAt: eventsBase.Add(2 * time.Second),
			ResourceID: "two\nlines, \"quoted\""},
	)
	rows := s.exportCSV("type=action.*")
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3: %v", len(rows), rows)
	}
	if rows[0][0] != evs[2].ID || rows[0][5] != "two\nlines, \"quoted\"" || rows[0][6] != "null" {
		t.Fatalf("row with a line break and quotes in a field: %q", rows[0])
	}
	newest, oldest := rows[1], rows[2]
	if want := []string{evs[1].ID, string(events.ActionReminderSent), "2025-06-01T00:00:01Z", s.ws.WorkspaceID, "", "",
		string(evs[1].Data)}; !slices.Equal(newest, want) {
		t.Fatalf("row %q, want %q", newest, want)
	}
	if oldest[0] != evs[0].ID || oldest[4] != s.ws.APIKeyID || oldest[5] != "p,1" || oldest[2] != "2025-06-01T00:00:00Z" {
		t.Fatalf("row %q", oldest)
	}
	var data map[string]string
	if err := json.Unmarshal([]byte(oldest[6]), &data); err != nil || !maps.Equal(data, tricky) {
		t.Fatalf("data %q decodes to %v, %v", oldest[6], data, err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(oldest[6])); err != nil || compact.String() != oldest[6] {
		t.Fatalf("data is not compact JSON: %q", oldest[6])
	}
	// The filters apply; an empty result is the header alone.
	if rows := s.exportCSV("type=action.closed&resource_id=p,1"); len(rows) != 1 || rows[0][0] != evs[0].ID {
		t.Fatalf("filtered export: %v", rows)
	}
	if rows := s.exportCSV("api_key_id=" + s.ws.APIKeyID + "&created_before=2025-06-01T00:00:01Z"); len(rows) != 1 || rows[0][0] != evs[0].ID {
		t.Fatalf("export by key and period: %v", rows)
	}
	if rows := s.exportCSV("type=webhook.test"); len(rows) != 0 {
		t.Fatalf("empty export: %v", rows)
	}
	res := s.do("GET", "/v1/events/export.csv?type=webhook.test", s.owner, nil)
	if string(res.Body) != strings.Join(csvHeader, ",")+"\r\n" {
		t.Fatalf("empty export body %q", res.Body)
	}
}

func TestExportEventsStreamsEveryChunk(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	const n = 2345 // more than two chunks of 1000
	evs := make([]storagetest.Event, n)
	for i := range evs {
		evs[i] = storagetest.Event{Type: events.ActionOpened, WorkspaceID: s.ws.WorkspaceID,
			CreatedAt: eventsBase.Add(time.Duration(i) * time.Second), Data: map[string]int{"i": i}}
	}
	written := storagetest.InsertEvents(t, s.db, evs...)
	rows := s.exportCSV("type=action.opened")
	if len(rows) != n {
		t.Fatalf("%d rows, want %d", len(rows), n)
	}
	for i, row := range rows {
		if want := written[n-1-i].ID; row[0] != want {
			t.Fatalf("row %d is %s, want %s (newest first, each once)", i, row[0], want)
		}
	}
}

func TestExportEventsShowsExpungedDataAsNull(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	ev := storagetest.InsertEvents(t, s.db, storagetest.Event{Type: events.ActionOpened, WorkspaceID: s.ws.WorkspaceID,
		CreatedAt: eventsBase, Data: map[string]int{"i": 1}, Response: map[string]int{"i": 1}})[0]
	if _, err := s.db.Events().ExpungeEvents(t.Context(), eventsBase.Add(time.Hour), 10); err != nil {
		t.Fatal(err)
	}
	if rows := s.exportCSV("type=action.opened"); len(rows) != 1 || rows[0][0] != ev.ID || rows[0][6] != "null" {
		t.Fatalf("expunged export: %v", rows)
	}
	m := s.do("GET", "/v1/events/"+ev.ID, s.owner, nil).JSON(t)
	if m["data"] != nil || m["response_body"] != nil || m["expunged_at"] == nil {
		t.Fatalf("expunged event: %v", m)
	}
	l, _ := s.list("type=action.opened")
	if len(l.Data) != 1 || l.Data[0].ExpungedAt == nil || string(l.Data[0].Data) != "null" {
		t.Fatalf("expunged in the list: %+v", l.Data)
	}
}
