package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
)

func TestExpungeEventsKeepsTheRows(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		db.SetClock(func() time.Time { return now })
		ws, _ := storagetest.Workspace(t, db, "A")
		other, _ := storagetest.Workspace(t, db, "B")
		cutoff := now.Add(-30 * 24 * time.Hour)
		var old, fresh []events.Event
		for i := range 12 {
			workspace := ws.WorkspaceID
			if i%4 == 3 {
				workspace = other.WorkspaceID // retention covers every workspace
			}
			e := storagetest.Event{Type: events.ActionClosed, WorkspaceID: workspace, APIKeyID: ws.APIKeyID, ResourceID: "p1",
				Data: events.ActionData{Action: events.SigningSigned}, Response: map[string]int{"n": i}}
			e.CreatedAt = cutoff.Add(-time.Duration(i+1) * time.Hour)
			old = append(old, storagetest.InsertEvents(t, db, e)...)
			e.CreatedAt = cutoff.Add(time.Duration(i+1) * time.Minute)
			fresh = append(fresh, storagetest.InsertEvents(t, db, e)...)
		}
		n, err := db.Events().ExpungeEvents(ctx, cutoff, 5)
		if err != nil || n != len(old) {
			t.Fatalf("expunged %d, %v; want %d", n, err, len(old))
		}
		if n, err := db.Events().ExpungeEvents(ctx, cutoff, 5); err != nil || n != 0 {
			t.Fatalf("second run expunged %d, %v; want 0", n, err)
		}
		for _, e := range old {
			got, err := db.Events().GetEvent(ctx, e.WorkspaceID, e.ID)
			if err != nil {
				t.Fatalf("get expunged event: %v", err)
			}
			if got.Data != nil || got.ResponseBody != nil || got.ExpungedAt == nil || !got.ExpungedAt.Equal(now.Truncate(time.Microsecond)) ||
				got.Type != e.Type || !got.CreatedAt.Equal(e.CreatedAt) || got.ResourceID != "p1" || got.APIKeyID == nil {
				t.Fatalf("expunged event = %+v", got)
			}
		}
		for _, e := range fresh {
			got, err := db.Events().GetEvent(ctx, e.WorkspaceID, e.ID)
			if err != nil || string(got.Data) != string(e.Data) || got.ResponseBody == nil || got.ExpungedAt != nil {
				t.Fatalf("fresh event = %+v, %v", got, err)
			}
		}
		// The list still shows expunged events, with null data.
		page, err := db.Events().ListEvents(ctx, ws.WorkspaceID, events.Query{Limit: 100, Filter: events.Filter{Types: []events.Type{events.ActionClosed}}})
		if err != nil || len(page.Events) != 18 {
			t.Fatalf("list = %d events, %v; want 18", len(page.Events), err)
		}
		expunged := 0
		for _, e := range page.Events {
			if e.ExpungedAt != nil && e.Data == nil {
				expunged++
			}
		}
		if expunged != 9 {
			t.Fatalf("%d expunged events listed, want 9", expunged)
		}
	})
}
