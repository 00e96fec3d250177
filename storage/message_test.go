package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/notify"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/workflow"
)

// mailInput is processInput with mail on for every participant: s1 and s2
// sign in step 1, the approver (now with an address) in step 2.
func mailInput() workflow.ProcessInput {
	in := processInput()
	in.ExpiresAt = nil
	in.SigningProcessSteps[1].ProcessStepSigners[0].SignerEmail = "approver@example.com"
	for i := range in.SigningProcessSteps {
		for j := range in.SigningProcessSteps[i].ProcessStepSigners {
			in.SigningProcessSteps[i].ProcessStepSigners[j].SignerNotification = true
		}
	}
	return in
}

// outbox lists the workspace's messages matching f, oldest first.
func outbox(t *testing.T, db *storage.DB, actor countersign.Actor, f notify.Filter) []notify.Message {
	t.Helper()
	ms, _, err := db.Messages().List(context.Background(), actor.WorkspaceID, f, "", 1000)
	if err != nil {
		t.Fatalf("list messages: %v", err)
	}
	for i, j := 0, len(ms)-1; i < j; i, j = i+1, j-1 {
		ms[i], ms[j] = ms[j], ms[i]
	}
	return ms
}

func change(t *testing.T, db *storage.DB, actor countersign.Actor, id string, cmd workflow.Command) *workflow.Process {
	t.Helper()
	p, err := db.Processes().ChangeProcess(context.Background(), actor, id, cmd)
	if err != nil {
		t.Fatalf("change process: %v", err)
	}
	return p
}

func TestMessagesWrittenWithTheirCause(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		actor, _ := storagetest.Workspace(t, db, "A")
		p := createProcess(t, db, actor, mailInput())
		if got := outbox(t, db, actor, notify.Filter{}); len(got) != 0 {
			t.Fatalf("creating a process wrote %d messages", len(got))
		}
		p = change(t, db, actor, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Start(now) })
		inv := outbox(t, db, actor, notify.Filter{Type: workflow.NoticeInvitation})
		if len(inv) != 2 || inv[0].Status != notify.StatusPending || inv[0].Subject == "" || inv[0].HTML == "" {
			t.Fatalf("after start: %+v", inv)
		}
		s1, s2 := signerNamed(t, p, "Signer One"), signerNamed(t, p, "Signer Two")
		change(t, db, actor, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Sign(s1, now) })
		change(t, db, actor, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Sign(s2, now) })
		inv = outbox(t, db, actor, notify.Filter{Type: workflow.NoticeInvitation, Recipient: "APPROVER@example.com"})
		if len(inv) != 1 || inv[0].Recipient.Role != workflow.RoleApprover {
			t.Fatalf("approver invitation: %+v", inv)
		}
		if _, err := db.Processes().SendReminders(ctx, actor); err != nil {
			t.Fatal(err)
		}
		if rem := outbox(t, db, actor, notify.Filter{Type: workflow.NoticeReminder}); len(rem) != 1 || rem[0].Recipient.Email != "approver@example.com" {
			t.Fatalf("reminders: %+v", rem)
		}
		a := signerNamed(t, p, "Approver")
		change(t, db, actor, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Approve(a, now) })
		done := outbox(t, db, actor, notify.Filter{Type: workflow.NoticeCompleted, ProcessID: p.ID})
		if len(done) != 4 { // the initiator and the three participants
			t.Fatalf("completed: %d messages, want 4", len(done))
		}
		if n := len(outbox(t, db, actor, notify.Filter{})); n != 2+1+1+4 {
			t.Errorf("outbox holds %d messages, want 8", n)
		}
	})
}

func TestCancelWithDisableMessagesWritesNoMail(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		actor, _ := storagetest.Workspace(t, db, "A")
		for _, disable := range []bool{true, false} {
			p := createProcess(t, db, actor, mailInput())
			change(t, db, actor, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Start(now) })
			if _, err := db.Processes().CancelProcessWithMessageControl(ctx, actor, p.ID, disable); err != nil {
				t.Fatal(err)
			}
			got := outbox(t, db, actor, notify.Filter{ProcessID: p.ID, Type: workflow.NoticeCancelled})
			if want := map[bool]int{true: 0, false: 3}[disable]; len(got) != want {
				t.Errorf("disableMessages=%v: %d cancellation messages, want %d", disable, len(got), want)
			}
		}
		in := mailInput()
		in.DisableMessages = true
		p := createProcess(t, db, actor, in)
		change(t, db, actor, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Start(now) })
		if got := outbox(t, db, actor, notify.Filter{ProcessID: p.ID}); len(got) != 0 {
			t.Errorf("a process with disableMessages wrote %d messages", len(got))
		}
	})
}

func TestMessageAttemptsAndResend(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		actor, _ := storagetest.Workspace(t, db, "A")
		p := createProcess(t, db, actor, mailInput())
		change(t, db, actor, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Start(now) })
		msg := outbox(t, db, actor, notify.Filter{Recipient: "one@example.com"})[0]
		due, err := db.Messages().DueMessages(ctx, time.Now().Add(time.Hour), "", 10)
		if err != nil || len(due) != 2 {
			t.Fatalf("due: %v %v", due, err)
		}
		next := time.Now().Add(time.Minute)
		rec := notify.Record{WorkspaceID: actor.WorkspaceID, Status: notify.StatusPending, NextAttemptAt: &next,
			Attempt: notify.Attempt{MessageID: msg.ID, Number: 1, StartedAt: time.Now(), Outcome: notify.OutcomeTemporary,
				Code: 451, Reply: "451 4.3.0 try later", Error: "smtp data: 451 4.3.0 try later"}}
		if ok, err := db.Messages().RecordAttempt(ctx, rec); !ok || err != nil {
			t.Fatalf("record attempt 1: %v %v", ok, err)
		}
		if ok, _ := db.Messages().RecordAttempt(ctx, rec); ok {
			t.Fatal("attempt 1 recorded twice")
		}
		if _, err := db.Messages().Resend(ctx, actor.WorkspaceID, msg.ID); countersign.ErrorCode(err) != countersign.ECONFLICT {
			t.Fatalf("resend of a pending message: %v, want a conflict", err)
		}
		rec.Status, rec.NextAttemptAt = notify.StatusFailed, nil
		rec.Attempt.Number, rec.Attempt.Code, rec.Attempt.Reply = 2, 550, "550 5.1.1 no such user"
		if ok, err := db.Messages().RecordAttempt(ctx, rec); !ok || err != nil {
			t.Fatalf("record attempt 2: %v %v", ok, err)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM events WHERE type = ? AND resource_id = ?", "message.failed", msg.ID); n != 1 {
			t.Errorf("%d message.failed events, want 1", n)
		}
		again, err := db.Messages().Resend(ctx, actor.WorkspaceID, msg.ID)
		if err != nil || again.Status != notify.StatusPending || again.AttemptBase != 2 || again.Task().Attempt != 3 {
			t.Fatalf("resend: %+v %v", again, err)
		}
		got, attempts, err := db.Messages().Get(ctx, actor.WorkspaceID, msg.ID)
		if err != nil || got.Status != notify.StatusPending || len(attempts) != 2 || attempts[1].Reply != "550 5.1.1 no such user" {
			t.Fatalf("get: %+v %+v %v", got, attempts, err)
		}
		if n := len(outbox(t, db, actor, notify.Filter{Status: notify.StatusPending})); n != 2 {
			t.Errorf("%d pending, want 2", n)
		}
	})
}

func TestAutomaticRemindersOnTheSchedule(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		actor, _ := storagetest.Workspace(t, db, "A")
		in := mailInput()
		in.ReminderEveryDays = 1
		p := createProcess(t, db, actor, in)
		change(t, db, actor, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Start(now) })
		start := time.Now()
		reminders := func() int { return len(outbox(t, db, actor, notify.Filter{Type: workflow.NoticeReminder})) }
		if n, err := db.Processes().ApplyDue(ctx, start.Add(time.Hour), 10); err != nil || n != 0 || reminders() != 0 {
			t.Fatalf("an hour in: applied %d (%v), %d reminders; want none", n, err, reminders())
		}
		if n, err := db.Processes().ApplyDue(ctx, start.Add(25*time.Hour), 10); err != nil || n != 1 {
			t.Fatalf("a day in: applied %d (%v), want 1", n, err)
		}
		if got := reminders(); got != 2 {
			t.Fatalf("a day in: %d reminder messages, want 2 (both signers of step 1)", got)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM audit_events WHERE event_type = ? AND process_id = ?",
			string(workflow.AuditEmailReminder), p.ID); n != 2 {
			t.Errorf("%d AUDIT_EMAIL_REMINDER records, want 2", n)
		}
		if n, err := db.Processes().ApplyDue(ctx, start.Add(26*time.Hour), 10); err != nil || n != 0 || reminders() != 2 {
			t.Fatalf("an hour later: applied %d (%v), %d reminders; want no new one", n, err, reminders())
		}
		if n, err := db.Processes().ApplyDue(ctx, start.Add(50*time.Hour), 10); err != nil || n != 1 || reminders() != 4 {
			t.Fatalf("two days in: applied %d (%v), %d reminders; want 4", n, err, reminders())
		}
		if _, err := db.Processes().CreateProcess(ctx, actor, workflow.ProcessInput{DocumentName: "x", ReminderEveryDays: 400,
			SigningProcessSteps: in.SigningProcessSteps}); countersign.ErrorCode(err) != countersign.EVALIDATION {
			t.Errorf("reminderEveryDays 400: %v, want a validation error", err)
		}
	})
}

func TestOutcomeMessages(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		actor, _ := storagetest.Workspace(t, db, "A")
		// Declined: the initiator (with the stall reason) and the other invited signer.
		p := createProcess(t, db, actor, mailInput())
		p = change(t, db, actor, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Start(now) })
		s1 := signerNamed(t, p, "Signer One")
		change(t, db, actor, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) {
			return p.Decline(s1, events.StallSignatureRefusal, now)
		})
		got := outbox(t, db, actor, notify.Filter{ProcessID: p.ID, Type: workflow.NoticeDeclined})
		to := map[string]string{}
		for _, m := range got {
			to[m.Recipient.Email] = m.Text
		}
		if len(got) != 2 || to["one@example.com"] != "" || !strings.Contains(to["Jane.Doe@Example.com"], "signature_refusal") || to["two@example.com"] == "" {
			t.Errorf("declined: %d messages to %v", len(got), to)
		}
		// Expired: the scheduler applies expiresAt; the initiator and the invited signers hear of it.
		in := mailInput()
		exp := time.Now().Add(time.Hour)
		in.ExpiresAt = &exp
		q := createProcess(t, db, actor, in)
		change(t, db, actor, q.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Start(now) })
		if n, err := db.Processes().ApplyDue(ctx, exp.Add(time.Minute), 10); err != nil || n != 1 {
			t.Fatalf("apply expiry: %d %v", n, err)
		}
		if got := outbox(t, db, actor, notify.Filter{ProcessID: q.ID, Type: workflow.NoticeExpired}); len(got) != 3 {
			t.Errorf("expired: %d messages, want 3 (initiator and the two invited signers, not the approver)", len(got))
		}
	})
}
