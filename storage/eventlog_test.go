package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
)

// logBase is the time the log tests' events are created around.
var logBase = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// loggedRow is what the reference filter of the tests reads of an event.
type loggedRow struct {
	ID         string         `db:"id"`
	Type       string         `db:"type"`
	APIKeyID   sql.NullString `db:"api_key_id"`
	ResourceID sql.NullString `db:"resource_id"`
	CreatedAt  int64          `db:"created_at"`
}

// logAll returns every event of a workspace newest first, read with plain SQL.
func logAll(t *testing.T, db *storage.DB, workspaceID string) []loggedRow {
	t.Helper()
	var rows []loggedRow
	if err := db.Raw().SelectContext(context.Background(), &rows, db.Raw().Rebind(
		"SELECT id, type, api_key_id, resource_id, created_at FROM events WHERE workspace_id = ? ORDER BY seq DESC"), workspaceID); err != nil {
		t.Fatal(err)
	}
	return rows
}

// logMatches is the tests' own reading of a filter.
func logMatches(r loggedRow, f events.Filter) bool {
	at := time.UnixMicro(r.CreatedAt)
	return (f.CreatedAfter.IsZero() || at.After(f.CreatedAfter)) &&
		(f.CreatedBefore.IsZero() || at.Before(f.CreatedBefore)) &&
		(len(f.Types) == 0 || slices.Contains(f.Types, events.Type(r.Type))) &&
		(f.APIKeyID == "" || r.APIKeyID.String == f.APIKeyID) &&
		(f.ResourceID == "" || r.ResourceID.String == f.ResourceID)
}

// seedLog writes 60 events of varied types, keys, resources and times into
// ws, and 5 into another workspace, and returns the two API key ids used.
func seedLog(t *testing.T, db *storage.DB, ws, other countersign.Actor) (keyA, keyB string) {
	t.Helper()
	keyA, keyB = countersign.NewID(countersign.PrefixAPIKey, logBase), countersign.NewID(countersign.PrefixAPIKey, logBase)
	types := []events.Type{events.APIKeyCreated, events.TransactionStarted, events.ActionClosed,
		events.TransactionCompleted, events.RegistrationIdentityVerified}
	var evs []storagetest.Event
	for i := range 60 {
		e := storagetest.Event{Type: types[i%len(types)], WorkspaceID: ws.WorkspaceID,
			CreatedAt: logBase.Add(time.Duration(i) * time.Minute), Data: map[string]int{"i": i},
			ResourceID: fmt.Sprintf("res-%d", i%4)}
		switch i % 3 {
		case 0:
			e.APIKeyID = keyA
		case 1:
			e.APIKeyID = keyB
		}
		if i%10 == 9 { // a few written late, out of created_at order
			e.CreatedAt = logBase.Add(-time.Duration(i) * time.Second)
		}
		evs = append(evs, e)
	}
	storagetest.InsertEvents(t, db, evs...)
	for i := range 5 {
		storagetest.InsertEvents(t, db, storagetest.Event{Type: events.ActionClosed, WorkspaceID: other.WorkspaceID,
			APIKeyID: keyA, ResourceID: "res-1", CreatedAt: logBase.Add(time.Duration(i) * time.Minute)})
	}
	return keyA, keyB
}

// pageAll reads every page of q, following starting_after, and checks each
// page's size and has_more.
func pageAll(t *testing.T, db *storage.DB, workspaceID string, q events.Query) []string {
	t.Helper()
	var ids []string
	for range 1000 {
		page, err := db.Events().ListEvents(context.Background(), workspaceID, q)
		if err != nil {
			t.Fatalf("list %+v: %v", q, err)
		}
		if len(page.Events) > q.Limit || (page.HasMore && len(page.Events) != q.Limit) {
			t.Fatalf("page of %d events with has_more=%v for limit %d", len(page.Events), page.HasMore, q.Limit)
		}
		for _, e := range page.Events {
			ids = append(ids, e.ID)
		}
		if !page.HasMore {
			return ids
		}
		q.StartingAfter = page.Events[len(page.Events)-1].ID
	}
	t.Fatal("pagination does not end")
	return nil
}

func TestListEventsFiltersAndPages(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ws, _ := storagetest.Workspace(t, db, "A")
		other, _ := storagetest.Workspace(t, db, "B")
		keyA, keyB := seedLog(t, db, ws, other)
		all := logAll(t, db, ws.WorkspaceID)
		filters := []struct {
			name string
			f    events.Filter
		}{
			{"everything", events.Filter{}},
			{"one type", events.Filter{Types: []events.Type{events.ActionClosed}}},
			{"two types", events.Filter{Types: []events.Type{events.ActionClosed, events.APIKeyCreated}}},
			{"api key", events.Filter{APIKeyID: keyA}},
			{"other api key", events.Filter{APIKeyID: keyB}},
			{"resource", events.Filter{ResourceID: "res-1"}},
			{"after", events.Filter{CreatedAfter: logBase.Add(10 * time.Minute)}},
			{"before", events.Filter{CreatedBefore: logBase.Add(20 * time.Minute)}},
			{"between", events.Filter{CreatedAfter: logBase.Add(10 * time.Minute), CreatedBefore: logBase.Add(40 * time.Minute)}},
			{"combined", events.Filter{Types: []events.Type{events.TransactionStarted, events.ActionClosed}, APIKeyID: keyA,
				ResourceID: "res-2", CreatedAfter: logBase.Add(-time.Hour), CreatedBefore: logBase.Add(50 * time.Minute)}},
			{"nothing", events.Filter{Types: []events.Type{events.WebhookTest}}},
		}
		for _, tc := range filters {
			t.Run(tc.name, func(t *testing.T) {
				var want []string
				for _, r := range all {
					if logMatches(r, tc.f) {
						want = append(want, r.ID)
					}
				}
				if tc.name != "nothing" && len(want) == 0 {
					t.Fatal("the case matches none of the logged events: a useless case")
				}
				for _, limit := range []int{1, 7, 1000} {
					got := pageAll(t, db, ws.WorkspaceID, events.Query{Filter: tc.f, Limit: limit})
					if !slices.Equal(got, want) {
						t.Fatalf("limit %d: got %d events %v, want %d %v", limit, len(got), got, len(want), want)
					}
				}
				// Back from the oldest with ending_before: the same events, newest first per page.
				if len(want) > 0 {
					var back []string
					cursor := want[len(want)-1]
					for {
						page, err := db.Events().ListEvents(context.Background(), ws.WorkspaceID,
							events.Query{Filter: tc.f, Limit: 4, EndingBefore: cursor})
						if err != nil {
							t.Fatal(err)
						}
						if len(page.Events) == 0 {
							break
						}
						ids := make([]string, len(page.Events))
						for i, e := range page.Events {
							ids[i] = e.ID
						}
						back = append(ids, back...)
						cursor = ids[0]
					}
					if !slices.Equal(back, want[:len(want)-1]) {
						t.Fatalf("ending_before walk: %v, want %v", back, want[:len(want)-1])
					}
				}
			})
		}
	})
}

func TestListEventsRefusesBadPages(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ws, _ := storagetest.Workspace(t, db, "A")
		other, _ := storagetest.Workspace(t, db, "B")
		foreign := storagetest.InsertEvents(t, db, storagetest.Event{Type: events.ActionOpened, WorkspaceID: other.WorkspaceID})[0]
		mine := storagetest.InsertEvents(t, db, storagetest.Event{Type: events.ActionOpened, WorkspaceID: ws.WorkspaceID})[0]
		unknown := countersign.NewID(countersign.PrefixEvent, time.Now())
		cases := []struct {
			name  string
			q     events.Query
			field string
		}{
			{"limit 0", events.Query{Limit: 0}, "limit"},
			{"negative limit", events.Query{Limit: -1}, "limit"},
			{"huge limit", events.Query{Limit: events.MaxLogLimit + 1}, "limit"},
			{"unknown cursor", events.Query{Limit: 10, StartingAfter: unknown}, "starting_after"},
			{"other workspace's cursor", events.Query{Limit: 10, StartingAfter: foreign.ID}, "starting_after"},
			{"unknown ending_before", events.Query{Limit: 10, EndingBefore: unknown}, "ending_before"},
			{"both cursors", events.Query{Limit: 10, StartingAfter: mine.ID, EndingBefore: mine.ID}, "ending_before"},
		}
		for _, tc := range cases {
			_, err := db.Events().ListEvents(ctx, ws.WorkspaceID, tc.q)
			if e := countersign.AsError(err); e == nil || e.Code != countersign.EINVALID || e.Field != tc.field {
				t.Errorf("%s: %v, want invalid_request naming %s", tc.name, err, tc.field)
			}
		}
		for _, limit := range []int{1, events.MaxLogLimit} {
			if _, err := db.Events().ListEvents(ctx, ws.WorkspaceID, events.Query{Limit: limit}); err != nil {
				t.Errorf("limit %d: %v", limit, err)
			}
		}
	})
}

func TestGetEventHasTheResponseBody(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ws, _ := storagetest.Workspace(t, db, "A")
		other, _ := storagetest.Workspace(t, db, "B")
		evs := storagetest.InsertEvents(t, db,
			storagetest.Event{Type: events.ActionClosed, WorkspaceID: ws.WorkspaceID, APIKeyID: ws.APIKeyID, ResourceID: "p1",
				Data: events.ActionData{ProcessID: "p1", Action: events.SigningSigned}, Response: map[string]string{"status": "SIGNED"}},
			storagetest.Event{Type: events.ActionReminderSent, WorkspaceID: ws.WorkspaceID})
		got, err := db.Events().GetEvent(ctx, ws.WorkspaceID, evs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if string(got.ResponseBody) != `{"status":"SIGNED"}` || got.ResourceID != "p1" || got.APIKeyID == nil ||
			*got.APIKeyID != ws.APIKeyID || string(got.Data) != string(evs[0].Data) || !got.CreatedAt.Equal(evs[0].CreatedAt) ||
			got.ExpungedAt != nil || got.Object != events.ObjectEvent {
			t.Fatalf("event = %+v", got)
		}
		plain, err := db.Events().GetEvent(ctx, ws.WorkspaceID, evs[1].ID)
		if err != nil || plain.ResponseBody != nil || plain.APIKeyID != nil || plain.ResourceID != "" {
			t.Fatalf("event without request = %+v, %v", plain, err)
		}
		if _, err := db.Events().GetEvent(ctx, other.WorkspaceID, evs[0].ID); countersign.ErrorCode(err) != countersign.ENOTFOUND {
			t.Fatalf("other workspace's event: %v, want not found", err)
		}
	})
}
