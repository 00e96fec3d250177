package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

func TestListReplaysFiltersAndPages(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock := newRPClock(db, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		actor, _ := storagetest.Workspace(t, db, "A")
		otherWS, _ := storagetest.Workspace(t, db, "B")
		a, b := rpEndpoint(t, db, actor, "*"), rpEndpoint(t, db, actor, "*")
		start := clock.now()
		rpFailed(t, db, clock, actor, a, 1)
		end := clock.now()
		create := func(ep webhook.Endpoint) string {
			t.Helper()
			clock.advance(time.Millisecond)
			f := webhook.DeliveryFilter{EndpointID: ep.ID, Status: webhook.StatusFailed, CreatedAfter: &start, CreatedBefore: &end}
			r, err := db.Webhooks().CreateReplay(ctx, actor, f, 1)
			if err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		// Newest last: a1 running, b1 completed (nothing to replay), a2 cancelled, a3 running.
		a1, b1, a2, a3 := create(a), create(b), create(a), create(a)
		if _, err := db.Webhooks().CancelReplay(ctx, actor, a2); err != nil {
			t.Fatal(err)
		}
		rpFailed(t, db, clock, otherWS, rpEndpoint(t, db, otherWS, "*"), 1)
		ids := func(q webhook.ReplayQuery) ([]string, bool) {
			t.Helper()
			rs, more, err := db.Webhooks().ListReplays(ctx, actor.WorkspaceID, q)
			if err != nil {
				t.Fatal(err)
			}
			out := make([]string, len(rs))
			for i, r := range rs {
				out[i] = r.ID
				if r.WorkspaceID != actor.WorkspaceID {
					t.Fatalf("replay %s of workspace %s listed", r.ID, r.WorkspaceID)
				}
			}
			return out, more
		}
		for name, c := range map[string]struct {
			q    webhook.ReplayQuery
			want []string
			more bool
		}{
			"all":            {webhook.ReplayQuery{Limit: 10}, []string{a3, a2, b1, a1}, false},
			"endpoint":       {webhook.ReplayQuery{EndpointID: a.ID, Limit: 10}, []string{a3, a2, a1}, false},
			"running":        {webhook.ReplayQuery{Status: webhook.ReplayRunning, Limit: 10}, []string{a3, a1}, false},
			"completed at b": {webhook.ReplayQuery{EndpointID: b.ID, Status: webhook.ReplayCompleted, Limit: 10}, []string{b1}, false},
			"none":           {webhook.ReplayQuery{EndpointID: b.ID, Status: webhook.ReplayCancelled, Limit: 10}, []string{}, false},
			"first page":     {webhook.ReplayQuery{Limit: 2}, []string{a3, a2}, true},
			"second page":    {webhook.ReplayQuery{Limit: 2, StartingAfter: a2}, []string{b1, a1}, false},
		} {
			got, more := ids(c.q)
			if !slices.Equal(got, c.want) || more != c.more {
				t.Errorf("%s: %v (more %v), want %v (more %v)", name, got, more, c.want, c.more)
			}
		}
	})
}
