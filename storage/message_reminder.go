package storage

import (
	"context"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/workflow"
)

// auditAutoReminders writes an AUDIT_EMAIL_REMINDER record for each
// automatic reminder among emitted (action.reminder.sent that a deadline,
// not a request, caused), in the transaction of the change: the manual
// reminders get theirs from the API operation that sends them.
func (m *Messages) auditAutoReminders(ctx context.Context, tx *Tx, p *workflow.Process, emitted []workflow.Emitted) error {
	var recs []workflow.AuditRecord
	now := m.db.Now()
	for _, e := range emitted {
		d, ok := e.Data.(events.ActionData)
		if !ok || e.Type != events.ActionReminderSent || !e.Deadline {
			continue
		}
		recs = append(recs, workflow.AuditRecord{
			ID: countersign.NewID(countersign.PrefixAudit, now), CreatedAt: now, EventType: workflow.AuditEmailReminder,
			EventOrigin: workflow.OriginAPI, Creator: "system", DocumentID: p.DocumentID, SignerID: d.Signer.ID,
			ProcessID: p.ID, Method: "SCHEDULE automaticReminder", Note: "automatic reminder", WorkspaceID: p.WorkspaceID,
		})
	}
	return m.db.insertAudit(ctx, tx, recs)
}
