package storage_test

import (
	"slices"
	"testing"
	"time"

	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
)

// TestListEventsTimeBoundsAtHourEdges checks the seq range the search reads
// for a period: events on and around hour boundaries, and events written
// hours out of created_at order (a clock set back, a late writer), are found
// exactly as the time filter alone finds them, at every bound around them.
func TestListEventsTimeBoundsAtHourEdges(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ws, _ := storagetest.Workspace(t, db, "A")
		other, _ := storagetest.Workspace(t, db, "B")
		h := logBase.Add(5 * time.Hour)
		offsets := []time.Duration{ // in write (seq) order
			-time.Hour - time.Microsecond, -time.Hour, -time.Microsecond, 0, time.Microsecond,
			30 * time.Minute, time.Hour - time.Microsecond, time.Hour,
			-3 * time.Hour, // written late: an hour long past
			2 * time.Hour, 2*time.Hour + time.Microsecond,
			-2*time.Hour + time.Microsecond, // the clock set back
			time.Hour + time.Microsecond,
		}
		var evs []storagetest.Event
		for i, d := range offsets {
			ty := events.ActionClosed
			if i%2 == 1 {
				ty = events.TransactionStarted
			}
			evs = append(evs, storagetest.Event{Type: ty, WorkspaceID: ws.WorkspaceID, APIKeyID: "key-1", CreatedAt: h.Add(d)})
		}
		for _, e := range evs {
			storagetest.InsertEvents(t, db, e)
			// Another workspace's events interleave, so seq has gaps for this one.
			storagetest.InsertEvents(t, db, storagetest.Event{Type: events.ActionClosed, WorkspaceID: other.WorkspaceID, CreatedAt: e.CreatedAt})
		}
		all := logAll(t, db, ws.WorkspaceID)
		var bounds []time.Time
		for _, d := range offsets {
			bounds = append(bounds, h.Add(d), h.Add(d-time.Microsecond), h.Add(d+time.Microsecond))
		}
		bounds = append(bounds, h.Add(-10*time.Hour), h.Add(10*time.Hour))
		filters := []events.Filter{}
		for _, b := range bounds {
			filters = append(filters, events.Filter{CreatedBefore: b}, events.Filter{CreatedAfter: b},
				events.Filter{CreatedAfter: b, CreatedBefore: b.Add(time.Hour)},
				events.Filter{CreatedAfter: b.Add(-2 * time.Hour), CreatedBefore: b, APIKeyID: "key-1"},
				events.Filter{CreatedBefore: b, Types: []events.Type{events.ActionClosed, events.TransactionStarted}},
				events.Filter{CreatedAfter: b, Types: []events.Type{events.ActionClosed}})
		}
		for _, f := range filters {
			var want []string
			for _, r := range all {
				if logMatches(r, f) {
					want = append(want, r.ID)
				}
			}
			for _, limit := range []int{1, 100} {
				if got := pageAll(t, db, ws.WorkspaceID, events.Query{Filter: f, Limit: limit}); !slices.Equal(got, want) {
					t.Fatalf("filter after %s before %s types %v key %q, limit %d: got %v, want %v",
						f.CreatedAfter.Format(time.RFC3339Nano), f.CreatedBefore.Format(time.RFC3339Nano), f.Types, f.APIKeyID, limit, got, want)
				}
			}
		}
	})
}
