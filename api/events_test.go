package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage/storagetest"
)

// eventsBase is the time the API event tests' events are created around.
var eventsBase = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// seedEvents writes n events of rotating types into the test workspace, one
// minute apart from eventsBase, and returns them oldest first.
func (s *harness) seedEvents(n int) []events.Event {
	s.t.Helper()
	types := []events.Type{events.TransactionStarted, events.ActionClosed, events.RegistrationIdentityVerified}
	evs := make([]storagetest.Event, n)
	for i := range evs {
		evs[i] = storagetest.Event{Type: types[i%len(types)], WorkspaceID: s.ws.WorkspaceID, ResourceID: "res-" + string(rune('a'+i%2)),
			CreatedAt: eventsBase.Add(time.Duration(i) * time.Minute), Data: map[string]int{"i": i}, Response: map[string]int{"answer": i}}
		if i%2 == 0 {
			evs[i].APIKeyID = s.ws.APIKeyID
		}
	}
	return storagetest.InsertEvents(s.t, s.db, evs...)
}

// list decodes a listEvents answer.
func (s *harness) list(query string) (api.EventList, response) {
	s.t.Helper()
	res := s.do("GET", "/v1/events?"+query, s.owner, nil)
	var l api.EventList
	if res.Status == http.StatusOK {
		if err := json.Unmarshal(res.Body, &l); err != nil {
			s.t.Fatalf("list body %s: %v", res.Body, err)
		}
	}
	return l, res
}

func listIDs(l api.EventList) []string {
	ids := make([]string, len(l.Data))
	for i, e := range l.Data {
		ids[i] = e.ID
	}
	return ids
}

func TestListEventsSearchesThePeriodTypeKeyAndResource(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	seeded := s.seedEvents(30)
	// Every filter answers the seeded events it selects, newest first.
	cases := []struct {
		query string
		want  func(i int, e events.Event) bool
	}{
		{"type=action.closed", func(i int, e events.Event) bool { return e.Type == events.ActionClosed }},
		{"type=action.closed&type=transaction.lifecycle.started", func(i int, e events.Event) bool { return e.Type != events.RegistrationIdentityVerified }},
		{"type=transaction.*", func(i int, e events.Event) bool { return e.Type == events.TransactionStarted }},
		{"type=registration.identity.*", func(i int, e events.Event) bool { return e.Type == events.RegistrationIdentityVerified }},
		{"resource_id=res-b", func(i int, e events.Event) bool { return i%2 == 1 }},
		{"type=action.*&type=transaction.*&type=registration.*&created_after=" + eventsBase.Add(20*time.Minute).Format(time.RFC3339), func(i int, e events.Event) bool { return i > 20 }},
		{"created_before=" + eventsBase.Add(5*time.Minute).Format(time.RFC3339), func(i int, e events.Event) bool { return i < 5 }},
		{"created_after=" + url.QueryEscape(eventsBase.Add(10*time.Minute).In(time.FixedZone("", 2*3600)).Format(time.RFC3339)) +
			"&created_before=" + eventsBase.Add(15*time.Minute).Format(time.RFC3339Nano), func(i int, e events.Event) bool { return i > 10 && i < 15 }},
		{"api_key_id=" + s.ws.APIKeyID + "&resource_id=res-a&type=action.closed&created_before=" + eventsBase.Add(time.Hour).Format(time.RFC3339),
			func(i int, e events.Event) bool { return i%2 == 0 && e.Type == events.ActionClosed }},
	}
	for _, tc := range cases {
		var want []string
		for i := len(seeded) - 1; i >= 0; i-- {
			if tc.want(i, seeded[i]) {
				want = append(want, seeded[i].ID)
			}
		}
		l, res := s.list(tc.query + "&limit=1000")
		if res.Status != http.StatusOK || !slices.Equal(listIDs(l), want) || l.HasMore || l.NextCursor != nil || l.Object != "list" {
			t.Errorf("%s: %d %v, want %v", tc.query, res.Status, listIDs(l), want)
		}
	}
	// The api key filter also finds the workspace's own apikey.created event.
	l, _ := s.list("api_key_id=" + s.ws.APIKeyID + "&type=apikey.*")
	if len(l.Data) != 1 || l.Data[0].Type != events.APIKeyCreated || l.Data[0].ResourceID == nil || *l.Data[0].ResourceID != s.ws.APIKeyID {
		t.Fatalf("apikey events of the owner key: %+v", l.Data)
	}
}

func TestListEventsPagesWithCursors(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	s.seedEvents(25)
	all, _ := s.list("limit=1000&type=transaction.*&type=action.*&type=registration.*")
	if len(all.Data) != 25 {
		t.Fatalf("%d events, want 25", len(all.Data))
	}
	var paged []string
	query := "limit=10&type=transaction.*&type=action.*&type=registration.*"
	cursor := ""
	for {
		l, res := s.list(query + cursor)
		if res.Status != http.StatusOK {
			t.Fatalf("page: %d %s", res.Status, res.Body)
		}
		paged = append(paged, listIDs(l)...)
		if !l.HasMore {
			if l.NextCursor != nil {
				t.Fatal("the last page has a next_cursor")
			}
			break
		}
		cursor = "&starting_after=" + *l.NextCursor
	}
	if !slices.Equal(paged, listIDs(all)) {
		t.Fatalf("paged %v, want %v", paged, listIDs(all))
	}
	// Polling: from the oldest, ending_before walks to the newest; next_cursor
	// stays on the newest event once nothing newer is left.
	cursor = all.Data[len(all.Data)-1].ID
	var polled []string
	for range 10 {
		l, res := s.list(query + "&ending_before=" + cursor)
		if res.Status != http.StatusOK || l.NextCursor == nil {
			t.Fatalf("poll: %d %s", res.Status, res.Body)
		}
		ids := listIDs(l)
		slices.Reverse(ids)
		polled = append(polled, ids...)
		cursor = *l.NextCursor
		if len(l.Data) == 0 {
			break
		}
	}
	want := listIDs(all)[:24]
	slices.Reverse(want)
	if !slices.Equal(polled, want) || cursor != all.Data[0].ID {
		t.Fatalf("polled %v, cursor %s", polled, cursor)
	}
}

func TestGetEventAnswersEnvelopeAndResponseBody(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	seeded := s.seedEvents(2)
	res := s.do("GET", "/v1/events/"+seeded[0].ID, s.owner, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("get: %d %s", res.Status, res.Body)
	}
	m := res.JSON(t)
	for _, k := range []string{"id", "object", "type", "created_at", "workspace_id", "api_key_id", "data", "resource_id", "expunged_at", "response_body"} {
		if _, ok := m[k]; !ok {
			t.Errorf("event lacks %s: %s", k, res.Body)
		}
	}
	if m["object"] != "event" || m["type"] != string(events.TransactionStarted) || m["expunged_at"] != nil ||
		m["response_body"].(map[string]any)["answer"] != 0.0 || m["data"].(map[string]any)["i"] != 0.0 ||
		m["created_at"] != "2025-06-01T00:00:00Z" || m["api_key_id"] != s.ws.APIKeyID {
		t.Fatalf("event = %s", res.Body)
	}
	// An event no request caused has null api_key_id and response_body.
	plain := storagetest.InsertEvents(t, s.db, storagetest.Event{Type: events.ActionReminderSent, WorkspaceID: s.ws.WorkspaceID})[0]
	m = s.do("GET", "/v1/events/"+plain.ID, s.owner, nil).JSON(t)
	if m["api_key_id"] != nil || m["response_body"] != nil || m["resource_id"] != nil {
		t.Fatalf("event without request: %v", m)
	}
}

func TestEventLogRefusesBadInput(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	other, otherToken := s.otherWorkspace()
	foreign := storagetest.InsertEvents(t, s.db, storagetest.Event{Type: events.ActionOpened, WorkspaceID: other.WorkspaceID})[0]
	mine := s.seedEvents(1)[0]
	unknown := countersign.NewID(countersign.PrefixEvent, time.Now())
	cases := []struct {
		path   string
		status int
		field  string
	}{
		{"/v1/events?created_before=yesterday", 400, "created_before"},
		{"/v1/events?created_after=2025-13-01T00:00:00Z", 400, "created_after"},
		{"/v1/events?created_after=2025-06-01", 400, "created_after"},
		{"/v1/events?created_after=2025-06-02T00:00:00Z&created_before=2025-06-01T00:00:00Z", 422, "created_before"},
		{"/v1/events?created_after=2025-06-01T00:00:00Z&created_before=2025-06-01T00:00:00Z", 422, "created_before"},
		{"/v1/events?type=nope", 422, "type"},
		{"/v1/events?type=", 422, "type"},
		{"/v1/events?type=transaction*", 422, "type"},
		{"/v1/events?type=nothing.*", 422, "type"},
		{"/v1/events?type=action.closed&type=action.shut", 422, "type"},
		{"/v1/events?api_key_id=nope", 400, "api_key_id"},
		{"/v1/events?api_key_id=" + mine.ID, 400, "api_key_id"},
		{"/v1/events?resource_id=" + strings.Repeat("x", 201), 400, "resource_id"},
		{"/v1/events?resource_id=a%0Ab", 400, "resource_id"},
		{"/v1/events?limit=0", 400, "limit"},
		{"/v1/events?limit=-5", 400, "limit"},
		{"/v1/events?limit=1001", 400, "limit"},
		{"/v1/events?limit=99999999999999999999", 400, "limit"},
		{"/v1/events?limit=ten", 400, "limit"},
		{"/v1/events?starting_after=evt_nope", 400, "starting_after"},
		{"/v1/events?starting_after=" + unknown, 400, "starting_after"},
		{"/v1/events?starting_after=" + foreign.ID, 400, "starting_after"},
		{"/v1/events?ending_before=" + unknown, 400, "ending_before"},
		{"/v1/events?starting_after=" + mine.ID + "&ending_before=" + mine.ID, 400, "ending_before"},
		{"/v1/events/nope", 400, "id"},
		{"/v1/events/" + unknown, 404, ""},
		{"/v1/events/" + foreign.ID, 404, ""},
		{"/v1/events/export.csv?type=nope", 422, "type"},
		{"/v1/events/export.csv?created_before=2025", 400, "created_before"},
	}
	for _, tc := range cases {
		res := s.do("GET", tc.path, s.owner, nil)
		if res.Status != tc.status || res.ErrorField(t) != tc.field {
			t.Errorf("GET %s: %d %s, want %d naming %q", tc.path, res.Status, res.Body, tc.status, tc.field)
		}
	}
	// The other workspace sees its own event, not ours.
	if res := s.do("GET", "/v1/events/"+foreign.ID, otherToken, nil); res.Status != http.StatusOK {
		t.Fatalf("own event: %d", res.Status)
	}
	if res := s.do("GET", "/v1/events/"+mine.ID, otherToken, nil); res.Status != http.StatusNotFound {
		t.Fatalf("other workspace's event: %d", res.Status)
	}
}

func TestEventLogNeedsTheWebhooksPermission(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	mine := s.seedEvents(1)[0]
	member := s.key(s.ws, countersign.RoleMember)
	integrator := s.key(s.ws, countersign.RoleIntegrator)
	period := "?created_gt=2025-01-01T00:00:00Z&created_lt=2026-01-01T00:00:00Z"
	for _, path := range []string{"/v1/events", "/v1/events/" + mine.ID, "/v1/events/export.csv",
		"/v1/consumptions/summary" + period, "/v1/events/report" + period} {
		if res := s.do("GET", path, member, nil); res.Status != http.StatusForbidden || res.ErrorCode(t) != countersign.EFORBIDDEN {
			t.Errorf("member GET %s: %d %s, want 403", path, res.Status, res.Body)
		}
		if res := s.do("GET", path, integrator, nil); res.Status != http.StatusOK {
			t.Errorf("integrator GET %s: %d %s, want 200", path, res.Status, res.Body)
		}
		if res := s.do("GET", path, "", nil); res.Status != http.StatusUnauthorized {
			t.Errorf("anonymous GET %s: %d", path, res.Status)
		}
	}
}
