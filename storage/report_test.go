package storage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
)

// seededConsumption is what storagetest.SeedConsumption's period counts.
var seededConsumption = events.Consumption{
	StartedTransactions: 2, CompletedTransactions: 2, CancelledTransactions: 1, ExpiredTransactions: 2,
	Signatures: 3, Visas: 2, ReadDocuments: 1, SignedDocuments: 1,
	Identities: map[string]events.IdentityCount{
		events.MethodPVID: {Analysed: 3, Validated: 2, Rejected: 1},
		events.MethodWeb:  {Analysed: 3, Validated: 1, Rejected: 2},
	},
	Certificates: map[string]int{events.MethodPVID: 1, events.MethodWeb: 2},
}

func TestConsumptionCountsThePeriod(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ws, _ := storagetest.Workspace(t, db, "A")
		other, _ := storagetest.Workspace(t, db, "B")
		gt, lt := logBase, logBase.Add(24*time.Hour)
		storagetest.SeedConsumption(t, db, ws.WorkspaceID, other.WorkspaceID, gt, lt)
		got, err := db.Events().Consumption(ctx, ws.WorkspaceID, gt, lt)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, seededConsumption) {
			t.Fatalf("consumption = %+v\nwant          %+v", got, seededConsumption)
		}
		// Retention keeps what the report counts: the same report once every body is gone.
		n, err := db.Events().ExpungeEvents(ctx, lt.Add(time.Hour), 7)
		if err != nil || n == 0 {
			t.Fatalf("expunge: %d, %v", n, err)
		}
		if got, err = db.Events().Consumption(ctx, ws.WorkspaceID, gt, lt); err != nil || !reflect.DeepEqual(got, seededConsumption) {
			t.Fatalf("consumption after expunge = %+v, %v", got, err)
		}
		empty, err := db.Events().Consumption(ctx, ws.WorkspaceID, lt.Add(time.Hour), lt.Add(2*time.Hour))
		if err != nil || empty.StartedTransactions != 0 || len(empty.Identities) != 0 {
			t.Fatalf("empty period = %+v, %v", empty, err)
		}
		if _, err := db.Events().Consumption(ctx, ws.WorkspaceID, lt, gt); countersign.ErrorCode(err) != countersign.EVALIDATION {
			t.Fatalf("reversed period: %v", err)
		}
	})
}

// TestConsumptionReadsManyChunks counts events that share their created_at
// across the report's chunk boundaries (1000 rows each).
func TestConsumptionReadsManyChunks(t *testing.T) {
	db := storagetest.OpenSQLite(t)
	ws, _ := storagetest.Workspace(t, db, "A")
	evs := make([]storagetest.Event, 2500)
	for i := range evs {
		evs[i] = storagetest.Event{Type: events.ActionClosed, WorkspaceID: ws.WorkspaceID,
			CreatedAt: logBase.Add(time.Duration(i/700) * time.Second), Data: events.ActionData{Action: events.SigningSigned}}
	}
	storagetest.InsertEvents(t, db, evs...)
	got, err := db.Events().Consumption(context.Background(), ws.WorkspaceID, logBase.Add(-time.Second), logBase.Add(time.Hour))
	if err != nil || got.Signatures != 2500 {
		t.Fatalf("signatures = %d, %v; want 2500", got.Signatures, err)
	}
}
