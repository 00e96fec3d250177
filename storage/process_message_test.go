package storage_test

import (
	"context"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/workflow"
)

func TestProcessMessages(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		processClock(db)
		actor, _ := storagetest.Workspace(t, db, "A")
		p := createProcess(t, db, actor, processInput())
		s1 := signerNamed(t, p, "Signer One")
		msg, err := db.Processes().PostProcessMessage(ctx, actor, p.ID, s1, "Can we move the date?")
		if err != nil || msg.Message != "Can we move the date?" || msg.SignerID != s1 || !countersign.ValidUUID(msg.ID) {
			t.Fatalf("post: %+v %v", msg, err)
		}
		if _, err := db.Processes().PostProcessMessage(ctx, actor, p.ID, s1, "  "); countersign.ErrorCode(err) != countersign.EVALIDATION {
			t.Fatalf("blank message: %v", err)
		}
		page, err := pageOf(db.Processes().ListProcessMessages(ctx, actor.WorkspaceID, p.ID, workflow.Paging{Size: 10}))
		if err != nil || page.TotalElements != 1 || page.Content[0] != msg {
			t.Fatalf("list: %+v %v", page, err)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM events WHERE type = 'transaction.chat.message.received' AND response_body LIKE ?", `{"id":"`+msg.ID+`"%`); n != 1 {
			t.Fatalf("%d chat events with the message as response body", n)
		}
		other, _ := storagetest.Workspace(t, db, "B")
		if _, _, err := db.Processes().ListProcessMessages(ctx, other.WorkspaceID, p.ID, workflow.Paging{Size: 10}); countersign.ErrorCode(err) != countersign.ENOTFOUND {
			t.Fatalf("other workspace: %v", err)
		}
		if err := db.Processes().DeleteProcess(ctx, actor, p.ID); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM process_messages"); n != 0 {
			t.Fatalf("%d messages left after delete", n)
		}
	})
}

func TestSendReminders(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		processClock(db)
		actor, _ := storagetest.Workspace(t, db, "A")
		started := createProcess(t, db, actor, processInput())
		createProcess(t, db, actor, processInput()) // PENDING: nobody to remind
		if _, err := db.Processes().ChangeProcess(ctx, actor, started.ID, startCmd); err != nil {
			t.Fatal(err)
		}
		other, _ := storagetest.Workspace(t, db, "B")
		otherP := createProcess(t, db, other, processInput())
		if _, err := db.Processes().ChangeProcess(ctx, other, otherP.ID, startCmd); err != nil {
			t.Fatal(err)
		}
		sum, err := db.Processes().SendReminders(ctx, actor)
		if err != nil || sum != (workflow.ReminderSummary{RemindedSigners: 2, Processes: 1}) {
			t.Fatalf("reminders: %+v %v", sum, err)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM events WHERE type = 'action.reminder.sent' AND workspace_id = ?", actor.WorkspaceID); n != 2 {
			t.Fatalf("%d reminder events", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM events WHERE type = 'action.reminder.sent' AND workspace_id = ?", other.WorkspaceID); n != 0 {
			t.Fatalf("reminded another workspace's signers: %d", n)
		}
		p, _ := db.Processes().GetProcess(ctx, actor.WorkspaceID, started.ID)
		if sg, _ := p.Signer(signerNamed(t, p, "Signer One")); sg.Reminders != 1 {
			t.Fatalf("reminders counted %d", sg.Reminders)
		}
	})
}

func TestAuthorizeProcessAccess(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		processClock(db)
		actor, _ := storagetest.Workspace(t, db, "A")
		p := createProcess(t, db, actor, processInput())
		s1 := signerNamed(t, p, "Signer One")
		got, ok, err := db.Processes().AuthorizeProcessAccess(ctx, actor, s1, "16117519997", "lv", workflow.AuditRecord{})
		if err != nil || !ok || got.ID != p.ID {
			t.Fatalf("matching person: %v %v", ok, err)
		}
		fault := workflow.AuditRecord{EventType: workflow.AuditLoginFault, EventOrigin: workflow.OriginAPI, Creator: actor.APIKeyID}
		if _, ok, err := db.Processes().AuthorizeProcessAccess(ctx, actor, s1, "33309240064", "LT", fault); err != nil || ok {
			t.Fatalf("another person: %v %v", ok, err)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM audit_events WHERE event_type = 'AUDIT_LOGIN_FAULT' AND process_id = ? AND signer_id = ?", p.ID, s1); n != 1 {
			t.Fatalf("%d AUDIT_LOGIN_FAULT records, want 1", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM events WHERE type = 'identity-validation.processed' AND resource_id = ?", p.ID); n != 2 {
			t.Fatalf("%d identity events, want 2 (success and failure)", n)
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM events WHERE type = 'identity-validation.processed' AND body LIKE '%"verificationStatus":"failure"%' AND response_body IS NULL`); n != 1 {
			t.Fatalf("%d failure events without a response body, want 1", n)
		}
		if _, _, err := db.Processes().AuthorizeProcessAccess(ctx, actor, countersign.NewUUID(), "16117519997", "LV", fault); countersign.ErrorCode(err) != countersign.ENOTFOUND {
			t.Fatalf("unknown signer: %v", err)
		}
	})
}
