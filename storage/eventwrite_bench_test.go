package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage/storagetest"
)

// BenchmarkWriteEvents writes 10,000 events on SQLite through the service's
// writer, ten to a transaction, as a request that emits a few events does.
func BenchmarkWriteEvents(b *testing.B) {
	ctx := context.Background()
	db := storagetest.OpenSQLite(b)
	ws, _ := storagetest.Workspace(b, db, "A")
	at := time.Now().Add(-24 * time.Hour)
	for n := 0; n < b.N; n++ {
		for tx := 0; tx < 1000; tx++ {
			evs := make([]events.Event, 10)
			for i := range evs {
				at = at.Add(time.Second)
				ev, err := events.New(countersign.NewID(countersign.PrefixEvent, at), events.ActionClosed, ws.WorkspaceID, ws.APIKeyID, at,
					map[string]string{"action": "sign"})
				if err != nil {
					b.Fatal(err)
				}
				evs[i] = ev
			}
			if err := db.WriteEvents(ctx, evs); err != nil {
				b.Fatal(err)
			}
		}
	}
}
