package storage_test

import (
	"context"
	"testing"

	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// Fan-out holds an ordered endpoint's later deliveries of a process; the
// attempt that finishes one lets the next go; the turn check refuses one out
// of turn; and a held delivery nothing lets go is released by ReleaseHeld.
func TestOrderedDeliveriesHeldAndReleased(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		actor, _ := storagetest.Workspace(t, db, "A")
		wh := db.Webhooks()
		processClock(db)
		url, process := "https://example.com/o", webhook.OrderingProcess
		ep, err := wh.CreateEndpoint(ctx, actor, webhook.EndpointInput{URL: &url, EventTypes: []string{"transaction.chat.*"}, Ordering: &process})
		if err != nil {
			t.Fatal(err)
		}
		plainURL := "https://example.com/u"
		plain, err := wh.CreateEndpoint(ctx, actor, webhook.EndpointInput{URL: &plainURL, EventTypes: []string{"transaction.chat.*"}})
		if err != nil {
			t.Fatal(err)
		}
		p := createProcess(t, db, actor, processInput())
		signer := signerNamed(t, p, "Signer One")
		for _, text := range []string{"one", "two", "three"} {
			if _, err := db.Processes().PostProcessMessage(ctx, actor, p.ID, signer, text); err != nil {
				t.Fatal(err)
			}
		}
		list := func(endpointID string) []webhook.Delivery { // oldest first
			t.Helper()
			ds, _, err := wh.ListDeliveries(ctx, actor.WorkspaceID, webhook.DeliveryFilter{EndpointID: endpointID}, "", 10)
			if err != nil || len(ds) != 3 {
				t.Fatalf("deliveries to %s: %d, %v", endpointID, len(ds), err)
			}
			return []webhook.Delivery{ds[2], ds[1], ds[0]}
		}
		for _, d := range list(plain.ID) {
			if d.NextAttemptAt == nil {
				t.Errorf("unordered delivery %s held", d.ID)
			}
		}
		ds := list(ep.ID)
		if ds[0].NextAttemptAt == nil || ds[1].NextAttemptAt != nil || ds[2].NextAttemptAt != nil {
			t.Fatalf("want the first due and the others held: %+v", ds)
		}
		task := func(d webhook.Delivery) webhook.Task {
			return webhook.Task{DeliveryID: d.ID, WorkspaceID: d.WorkspaceID, EndpointID: d.EndpointID, EventID: d.EventID,
				Attempt: d.Attempts + 1, OrderKey: p.ID}
		}
		if ok, err := wh.OrderedTurn(ctx, task(ds[0])); err != nil || !ok {
			t.Errorf("first delivery's turn: %v %v, want true", ok, err)
		}
		if ok, err := wh.OrderedTurn(ctx, task(ds[2])); err != nil || ok {
			t.Errorf("third delivery's turn: %v %v, want false", ok, err)
		}

		// The first is delivered: the second is let go.
		now := pt0
		out, err := wh.RecordAttempt(ctx, webhook.AttemptRecord{Task: task(ds[0]), Status: webhook.StatusDelivered,
			Attempt: webhook.Attempt{ID: "att_01", DeliveryID: ds[0].ID, EndpointID: ep.ID, Number: 1, StartedAt: now}})
		if err != nil || !out.Applied || out.Next == nil || out.Next.DeliveryID != ds[1].ID || out.Next.OrderKey != p.ID {
			t.Fatalf("record: %+v %v, want the second let go", out, err)
		}
		if ds = list(ep.ID); ds[1].NextAttemptAt == nil || ds[2].NextAttemptAt != nil {
			t.Fatalf("after the first: %+v", ds)
		}

		// The second finishes by a path that lets nothing go: the third is
		// stranded until ReleaseHeld.
		if _, err := storagetest.Exec(ctx, db, "UPDATE deliveries SET status = 'failed', next_attempt_at = NULL WHERE id = ?", ds[1].ID); err != nil {
			t.Fatal(err)
		}
		tasks, err := wh.ReleaseHeld(ctx, 100)
		if err != nil || len(tasks) != 1 || tasks[0].DeliveryID != ds[2].ID || tasks[0].OrderKey != p.ID {
			t.Fatalf("released %+v %v, want the third", tasks, err)
		}
		if ds = list(ep.ID); ds[2].NextAttemptAt == nil {
			t.Fatalf("third still held: %+v", ds[2])
		}
		if tasks, err := wh.ReleaseHeld(ctx, 100); err != nil || len(tasks) != 0 {
			t.Fatalf("released again %+v %v", tasks, err)
		}
	})
}
