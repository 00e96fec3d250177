package storage

import (
	"context"
	"fmt"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/notify"
	"github.com/countersign/countersign/workflow"
)

// Messages is the notification email outbox: the messages the changes of
// processes call for (written in the transaction of the change), their
// attempts, and the queries of listMessages and getMessage.
type Messages struct{ db *DB }

// Messages returns the outbox area of the database.
func (db *DB) Messages() *Messages { return &Messages{db: db} }

// MailDispatcher receives the tasks of new messages once their transaction
// has committed. It must not block; what it drops, the reconciler finds.
type MailDispatcher func(tasks []notify.Task)

// mailSettings are what writing messages needs beyond the database.
type mailSettings struct {
	portal   string
	dispatch MailDispatcher
}

// SetPortal sets the signer portal's base URL (COUNTERSIGN_PORTAL_URL) that
// invitations, reminders and completion mail link to; "" leaves the link out.
// Call it before serving.
func (m *Messages) SetPortal(url string) { m.db.mail.portal = url }

// SetDispatcher installs the function that queues new messages. Call it
// before serving; without one, messages wait for the reconciler.
func (m *Messages) SetDispatcher(d MailDispatcher) { m.db.mail.dispatch = d }

// write records the messages that emitted, the events of one change of a
// process from before to after, call for (workflow.Notices decides), each
// rendered now in its recipient's language, and queues them after commit. A
// message whose key is there already (the same cause) is not written again.
func (m *Messages) write(ctx context.Context, tx *Tx, before, after *workflow.Process, emitted []workflow.Emitted) error {
	notices := workflow.Notices(before, after, emitted, workflow.NoticeOptions{MessagesDisabled: after.MessagesDisabled})
	if len(notices) == 0 {
		return nil
	}
	payload := after.Payload()
	now := m.db.Now()
	var tasks []notify.Task
	for _, n := range notices {
		text, err := workflow.RenderNotice(n, payload, m.db.mail.portal)
		if err != nil {
			return fmt.Errorf("render %s notice: %w", n.Type, err)
		}
		msg := notify.Message{
			ID: countersign.NewID(notify.PrefixMessage, now), WorkspaceID: after.WorkspaceID, ProcessID: after.ID,
			Key: n.Key, Type: n.Type, Cause: string(n.Cause), Recipient: n.Recipient,
			Subject: text.Subject, Text: text.Text, HTML: text.HTML, Status: notify.StatusPending,
			NextAttemptAt: &now, CreatedAt: now, UpdatedAt: now,
		}
		msg.Recipient.Language = text.Language
		ok, err := m.insert(ctx, tx, msg)
		if err != nil {
			return err
		}
		if ok {
			tasks = append(tasks, msg.Task())
		}
	}
	if d := m.db.mail.dispatch; len(tasks) > 0 && d != nil {
		tx.AfterCommit(func() { d(tasks) })
	}
	return nil
}

// insert writes msg unless a message with its key exists; false when it did.
func (m *Messages) insert(ctx context.Context, tx *Tx, msg notify.Message) (bool, error) {
	n, err := tx.ExecContext(ctx, m.db.q(`INSERT INTO mail_messages (id, workspace_id, process_id, dedupe_key,
		notice_type, cause, recipient_role, recipient_id, recipient_name, recipient_email, language, subject,
		text_body, html_body, status, attempts, attempt_base, next_attempt_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)
		ON CONFLICT (workspace_id, dedupe_key) DO NOTHING`),
		msg.ID, msg.WorkspaceID, msg.ProcessID, msg.Key, string(msg.Type), msg.Cause, string(msg.Recipient.Role),
		msg.Recipient.SignerID, msg.Recipient.Name, msg.Recipient.Email, msg.Recipient.Language, msg.Subject,
		msg.Text, msg.HTML, string(msg.Status), nullMicros(msg.NextAttemptAt), micros(msg.CreatedAt), micros(msg.UpdatedAt))
	if err != nil {
		return false, fmt.Errorf("insert message: %w", err)
	}
	rows, err := n.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("insert message: %w", err)
	}
	return rows == 1, nil
}
