package storage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/workflow"
)

func startCmd(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Start(now) }

func TestApplyDueExpiresProcesses(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		processClock(db)
		actor, _ := storagetest.Workspace(t, db, "A")
		expiring := createProcess(t, db, actor, processInput())
		if _, err := db.Processes().ChangeProcess(ctx, actor, expiring.ID, startCmd); err != nil {
			t.Fatal(err)
		}
		in := processInput()
		in.ExpiresAt = nil
		due := pt0.Add(48 * time.Hour)
		in.SigningProcessSteps[0].DueDate = &due
		stepDue := createProcess(t, db, actor, in)
		if _, err := db.Processes().ChangeProcess(ctx, actor, stepDue.ID, startCmd); err != nil {
			t.Fatal(err)
		}
		in.SigningProcessSteps[0].DueDate = nil
		never := createProcess(t, db, actor, in)

		if n, err := db.Processes().ApplyDue(ctx, pt0.Add(time.Hour), 10); err != nil || n != 0 {
			t.Fatalf("nothing due yet: applied %d, %v", n, err)
		}
		if n, err := db.Processes().ApplyDue(ctx, pt0.Add(3*24*time.Hour), 10); err != nil || n != 1 {
			t.Fatalf("step due date: applied %d, %v", n, err)
		}
		want := []string{"transaction.lifecycle.created", "transaction.lifecycle.started", "action.opened", "action.opened",
			"action.stalled", "action.stalled", "transaction.lifecycle.expired"}
		if got := resourceEvents(t, db, stepDue.ID); !reflect.DeepEqual(got, want) {
			t.Fatalf("step due events %v, want %v", got, want)
		}
		// The scheduler's events carry no API key and no response body.
		if n := countRows(t, db, "SELECT COUNT(*) FROM events WHERE resource_id = ? AND api_key_id IS NULL AND response_body IS NULL", stepDue.ID); n != 3 {
			t.Fatalf("%d system events, want 3", n)
		}
		if n, err := db.Processes().ApplyDue(ctx, pt0.Add(31*24*time.Hour), 1); err != nil || n != 1 {
			t.Fatalf("expiry: applied %d, %v", n, err)
		}
		for id, status := range map[string]workflow.ProcessStatus{expiring.ID: workflow.ProcessExpired,
			stepDue.ID: workflow.ProcessExpired, never.ID: workflow.ProcessPending} {
			p, _ := db.Processes().GetProcess(ctx, actor.WorkspaceID, id)
			if p.Status != status {
				t.Errorf("process %s is %s, want %s", id, p.Status, status)
			}
		}
		if n, err := db.Processes().ApplyDue(ctx, pt0.Add(365*24*time.Hour), 10); err != nil || n != 0 {
			t.Fatalf("applied twice: %d, %v", n, err)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM processes WHERE next_due_at IS NOT NULL"); n != 0 {
			t.Fatalf("%d processes still due", n)
		}
	})
}

func TestDeadlinesAreSavedWhenTheCommandFails(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		advance := processClock(db)
		actor, _ := storagetest.Workspace(t, db, "A")
		p := createProcess(t, db, actor, processInput())
		if _, err := db.Processes().ChangeProcess(ctx, actor, p.ID, startCmd); err != nil {
			t.Fatal(err)
		}
		advance(31 * 24 * time.Hour) // past expiresAt, before any scheduler ran
		s1 := signerNamed(t, p, "Signer One")
		_, err := db.Processes().ChangeProcess(ctx, actor, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Sign(s1, now) })
		if countersign.ErrorCode(err) != countersign.ECONFLICT {
			t.Fatalf("sign after expiry: %v, want conflict", err)
		}
		got, _ := db.Processes().GetProcess(ctx, actor.WorkspaceID, p.ID)
		if got.Status != workflow.ProcessExpired {
			t.Fatalf("status %s, want EXPIRED saved by the tick", got.Status)
		}
		types := resourceEvents(t, db, p.ID)
		if types[len(types)-1] != "transaction.lifecycle.expired" || countRows(t, db, "SELECT COUNT(*) FROM events WHERE type = 'action.closed'") != 0 {
			t.Fatalf("events %v", types)
		}
	})
}

func TestConcurrentSchedulersApplyOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		processClock(db)
		actor, _ := storagetest.Workspace(t, db, "A")
		for i := 0; i < 5; i++ {
			createProcess(t, db, actor, processInput())
		}
		done := make(chan int, 3)
		for i := 0; i < 3; i++ {
			go func() {
				n, err := db.Processes().ApplyDue(ctx, pt0.Add(40*24*time.Hour), 10)
				if err != nil {
					t.Error(err)
				}
				done <- n
			}()
		}
		total := 0
		for i := 0; i < 3; i++ {
			total += <-done
		}
		if total != 5 || countRows(t, db, "SELECT COUNT(*) FROM events WHERE type = 'transaction.lifecycle.expired'") != 5 {
			t.Fatalf("three schedulers applied %d expiries", total)
		}
	})
}
