package storage_test

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/workflow"
)

// pt0 is the clock of the process tests.
var pt0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// fixedClock sets db's clock to pt0 and returns a function that moves it.
func processClock(db *storage.DB) func(d time.Duration) {
	var mu sync.Mutex
	now := pt0
	db.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	return func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
}

// processInput is a two-step, three-signer process: s1 (LV) and s2 (LT) sign
// in parallel, then a1 (EE) approves.
func processInput() workflow.ProcessInput {
	exp := pt0.Add(30 * 24 * time.Hour)
	return workflow.ProcessInput{
		ProcessInitiatorEmail: "Jane.Doe@Example.com", DocumentID: "doc-1", DocumentName: "Lease.pdf",
		Initiator: "jdoe", InitiatorName: "Jane Doe", DocumentType: "CONTRACT", OwnerGroup: "group-a", ExpiresAt: &exp,
		SigningProcessSteps: []workflow.StepInput{
			{ProcessOrder: 0, ProcessStepSigners: []workflow.SignerInput{
				{SignerName: "Signer One", SignerRole: workflow.RoleSigner, SignerCountry: "LV", SignerPersonalCode: "161175-19997", SignerEmail: "one@example.com"},
				{SignerName: "Signer Two", SignerRole: workflow.RoleSigner, SignerCountry: "LT", SignerPersonalCode: "33309240064", SignerEmail: "two@example.com"},
			}},
			{ProcessOrder: 1, ProcessStepSigners: []workflow.SignerInput{
				{SignerName: "Approver", SignerRole: workflow.RoleApprover, SignerCountry: "EE", SignerPersonalCode: "36805280109"},
			}},
		},
	}
}

// create creates a process or fails the test.
func createProcess(t *testing.T, db *storage.DB, actor countersign.Actor, in workflow.ProcessInput) *workflow.Process {
	t.Helper()
	p, err := db.Processes().CreateProcess(context.Background(), actor, in)
	if err != nil {
		t.Fatalf("create process: %v", err)
	}
	return p
}

// signer returns the id of the signer called name.
func signerNamed(t *testing.T, p *workflow.Process, name string) string {
	t.Helper()
	for _, sg := range p.Signers() {
		if sg.Name == name {
			return sg.ID
		}
	}
	t.Fatalf("no signer %q", name)
	return ""
}

// count runs a COUNT query with ? placeholders.
func countRows(t *testing.T, db *storage.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Raw().GetContext(context.Background(), &n, db.Raw().Rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// eventTypes returns the types of a resource's events in log order.
func resourceEvents(t *testing.T, db *storage.DB, resourceID string) []string {
	t.Helper()
	var types []string
	if err := db.Raw().SelectContext(context.Background(), &types, db.Raw().Rebind("SELECT type FROM events WHERE resource_id = ? ORDER BY seq"), resourceID); err != nil {
		t.Fatal(err)
	}
	return types
}

func TestProcessSurvivesSaveAndLoad(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		actor, _ := storagetest.Workspace(t, db, "A")
		var p workflow.Process
		fillAll(reflect.ValueOf(&p).Elem(), new(int))
		p.WorkspaceID = actor.WorkspaceID
		assertFilled(t, reflect.ValueOf(p), "Process")
		if err := db.InsertProcess(context.Background(), &p); err != nil {
			t.Fatal(err)
		}
		got, err := db.Processes().GetProcess(context.Background(), actor.WorkspaceID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, &p) {
			t.Fatalf("loaded process differs:\n got %+v\nwant %+v", got, &p)
		}
	})
}

func TestCreateAndChangeProcess(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		processClock(db)
		actor, _ := storagetest.Workspace(t, db, "A")
		p := createProcess(t, db, actor, processInput())
		if p.Status != workflow.ProcessPending || p.APIKeyID != actor.APIKeyID {
			t.Fatalf("created %s by %s", p.Status, p.APIKeyID)
		}
		got, err := db.Processes().ChangeProcess(ctx, actor, p.ID, startCmd)
		if err != nil || got.Status != workflow.ProcessStarted {
			t.Fatalf("start: %v %v", got, err)
		}
		loaded, _ := db.Processes().GetProcess(ctx, actor.WorkspaceID, p.ID)
		if !reflect.DeepEqual(loaded, got) {
			t.Fatalf("loaded %+v, want %+v", loaded, got)
		}
		want := []string{"transaction.lifecycle.created", "transaction.lifecycle.started", "action.opened", "action.opened"}
		if got := resourceEvents(t, db, p.ID); !reflect.DeepEqual(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		// The events carry the caller's key and the process as the response body.
		if n := countRows(t, db, "SELECT COUNT(*) FROM events WHERE resource_id = ? AND api_key_id = ? AND response_body LIKE ?",
			p.ID, actor.APIKeyID, `{"id":"`+p.ID+`"%`); n != 4 {
			t.Fatalf("%d events with the actor's key and the process as response body, want 4", n)
		}
		// Another workspace sees nothing.
		other, _ := storagetest.Workspace(t, db, "B")
		if _, err := db.Processes().GetProcess(ctx, other.WorkspaceID, p.ID); countersign.ErrorCode(err) != countersign.ENOTFOUND {
			t.Fatalf("other workspace get: %v", err)
		}
		if _, err := db.Processes().ChangeProcess(ctx, other, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) {
			return p.Cancel(now)
		}); countersign.ErrorCode(err) != countersign.ENOTFOUND {
			t.Fatalf("other workspace cancel: %v", err)
		}
	})
}

func TestFailedTransitionWritesNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		processClock(db)
		actor, _ := storagetest.Workspace(t, db, "A")
		p := createProcess(t, db, actor, processInput())
		state := func() (int, int, string) {
			var body string
			if err := db.Raw().GetContext(ctx, &body, db.Raw().Rebind("SELECT body FROM processes WHERE id = ?"), p.ID); err != nil {
				t.Fatal(err)
			}
			return countRows(t, db, "SELECT COUNT(*) FROM events"), countRows(t, db, "SELECT version FROM processes WHERE id = ?", p.ID), body
		}
		ev0, v0, body0 := state()
		s1 := signerNamed(t, p, "Signer One")
		for name, cmd := range map[string]workflow.Command{
			"sign while PENDING":  func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Sign(s1, now) },
			"pause while PENDING": func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Pause(now) },
			"unknown signer": func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) {
				return p.Sign(countersign.NewUUID(), now)
			},
		} {
			if _, err := db.Processes().ChangeProcess(ctx, actor, p.ID, cmd); err == nil {
				t.Fatalf("%s succeeded", name)
			}
			ev, v, body := state()
			if ev != ev0 || v != v0 || body != body0 {
				t.Fatalf("%s wrote: events %d→%d, version %d→%d, body changed %v", name, ev0, ev, v0, v, body != body0)
			}
		}
		if err := db.Processes().DeleteProcess(ctx, actor, p.ID); err != nil {
			t.Fatalf("delete a PENDING process: %v", err)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM process_signers WHERE process_id = ?", p.ID); n != 0 {
			t.Fatalf("%d signer rows left after delete", n)
		}
	})
}

func TestDeleteRefusesAStartedProcess(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		processClock(db)
		actor, _ := storagetest.Workspace(t, db, "A")
		p := createProcess(t, db, actor, processInput())
		if _, err := db.Processes().ChangeProcess(ctx, actor, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Start(now) }); err != nil {
			t.Fatal(err)
		}
		if err := db.Processes().DeleteProcess(ctx, actor, p.ID); countersign.ErrorCode(err) != countersign.ECONFLICT {
			t.Fatalf("delete a STARTED process: %v, want conflict", err)
		}
		if _, err := db.Processes().GetProcess(ctx, actor.WorkspaceID, p.ID); err != nil {
			t.Fatalf("process gone after a refused delete: %v", err)
		}
	})
}

func TestConcurrentTransitionsLoseNoUpdate(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		actor, _ := storagetest.Workspace(t, db, "A")
		const n = 8
		in := workflow.ProcessInput{DocumentName: "Parallel", SigningProcessSteps: []workflow.StepInput{{}}}
		for i := 0; i < n; i++ {
			in.SigningProcessSteps[0].ProcessStepSigners = append(in.SigningProcessSteps[0].ProcessStepSigners,
				workflow.SignerInput{SignerName: string(rune('a' + i)), SignerRole: workflow.RoleSigner})
		}
		p := createProcess(t, db, actor, in)
		if _, err := db.Processes().ChangeProcess(ctx, actor, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Start(now) }); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for _, sg := range p.Signers() {
			wg.Add(1)
			go func(id string) {
				defer wg.Done()
				_, err := db.Processes().ChangeProcess(ctx, actor, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Sign(id, now) })
				errs <- err
			}(sg.ID)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent sign: %v", err)
			}
		}
		got, _ := db.Processes().GetProcess(ctx, actor.WorkspaceID, p.ID)
		if got.Status != workflow.ProcessCompleted || got.Payload().TotalSigned != n {
			t.Fatalf("after %d concurrent signatures: %s with %d signed", n, got.Status, got.Payload().TotalSigned)
		}
		if c := countRows(t, db, "SELECT COUNT(*) FROM events WHERE resource_id = ? AND type = 'action.closed'", p.ID); c != n {
			t.Fatalf("%d action.closed events, want %d", c, n)
		}
		if v := countRows(t, db, "SELECT version FROM processes WHERE id = ?", p.ID); v != n+2 {
			t.Fatalf("version %d, want %d", v, n+2)
		}
	})
}
