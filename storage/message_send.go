package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/notify"
)

var _ notify.Store = (*Messages)(nil)
var _ notify.DueSource = (*Messages)(nil)

// RecordAttempt writes an attempt and its message's new state in one
// transaction, with message.sent or message.failed when the message is done.
// It writes nothing and reports false when the message is not waiting for
// this attempt any more (a duplicate run recorded it already).
func (m *Messages) RecordAttempt(ctx context.Context, rec notify.Record) (bool, error) {
	applied := false
	err := m.db.Tx(ctx, func(tx *Tx) error {
		applied = false
		a := rec.Attempt
		var row messageRow
		err := tx.GetContext(ctx, &row, m.db.q("SELECT "+messageColumns+" FROM mail_messages WHERE workspace_id = ? AND id = ?"),
			rec.WorkspaceID, a.MessageID)
		if isNoRows(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read message: %w", err)
		}
		if row.Status != string(notify.StatusPending) || row.Attempts != a.Number-1 {
			return nil
		}
		now := m.db.Now()
		var sentAt sql.NullInt64
		if rec.Status == notify.StatusSent {
			sentAt = sql.NullInt64{Int64: micros(now), Valid: true}
		}
		// The guard repeats the check under the row's write lock: of two
		// runs of one attempt (PostgreSQL), one records it.
		res, err := tx.ExecContext(ctx, m.db.q(`UPDATE mail_messages SET status = ?, attempts = ?, next_attempt_at = ?,
			last_error = ?, updated_at = ?, sent_at = ? WHERE id = ? AND status = ? AND attempts = ?`), string(rec.Status), a.Number,
			nullMicros(rec.NextAttemptAt), a.Error, micros(now), sentAt, a.MessageID, string(notify.StatusPending), a.Number-1)
		if err != nil {
			return fmt.Errorf("update message: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.db.q(`INSERT INTO mail_attempts (message_id, attempt, started_at, latency_us,
			outcome, reply_code, reply, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), a.MessageID, a.Number, micros(a.StartedAt),
			a.Latency.Microseconds(), string(a.Outcome), a.Code, a.Reply, a.Error); err != nil {
			return fmt.Errorf("insert message attempt: %w", err)
		}
		applied = true
		if rec.Status == notify.StatusPending {
			return nil
		}
		typ := events.MessageSent
		if rec.Status == notify.StatusFailed {
			typ = events.MessageFailed
		}
		ev, err := m.db.newEvent(system(rec.WorkspaceID), typ, a.MessageID, events.MessageData{
			ID: row.ID, ProcessID: row.ProcessID, Notification: row.Type, RecipientRole: row.RecipientRole,
			SignerID: row.RecipientID, RecipientEmail: row.RecipientEmail, Subject: row.Subject, Status: string(rec.Status),
			Attempts: a.Number, Reply: a.Reply, Error: a.Error, At: now,
		})
		if err != nil {
			return err
		}
		return m.db.insertEvents(ctx, tx, nil, ev)
	})
	return applied, err
}

// DueMessages returns the tasks of pending messages due before dueBefore,
// after message id after, in id order: what the reconciler re-queues.
func (m *Messages) DueMessages(ctx context.Context, dueBefore time.Time, after string, limit int) ([]notify.Task, error) {
	var rows []struct {
		ID          string `db:"id"`
		WorkspaceID string `db:"workspace_id"`
		Attempts    int    `db:"attempts"`
	}
	if err := m.db.x.SelectContext(ctx, &rows, m.db.q(`SELECT id, workspace_id, attempts FROM mail_messages
		WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ? AND id > ? ORDER BY id LIMIT ?`),
		micros(dueBefore), after, limit); err != nil {
		return nil, classify(fmt.Errorf("list due messages: %w", err))
	}
	tasks := make([]notify.Task, len(rows))
	for i, r := range rows {
		tasks[i] = notify.Task{MessageID: r.ID, WorkspaceID: r.WorkspaceID, Attempt: r.Attempts + 1}
	}
	return tasks, nil
}

// Resend sends a message that is done (sent or failed) again, as a new send
// of the same message: the same texts and Message-ID, a fresh run of the
// retry schedule, attempts numbered on from the last. A message still
// pending is a conflict: it is on its way.
func (m *Messages) Resend(ctx context.Context, workspaceID, id string) (notify.Message, error) {
	var msg notify.Message
	err := m.db.Tx(ctx, func(tx *Tx) error {
		var row messageRow
		err := tx.GetContext(ctx, &row, m.db.q("SELECT "+messageColumns+" FROM mail_messages WHERE workspace_id = ? AND id = ?"), workspaceID, id)
		if isNoRows(err) {
			return countersign.NotFound("message")
		}
		if err != nil {
			return fmt.Errorf("read message: %w", err)
		}
		if row.Status == string(notify.StatusPending) {
			return countersign.Errorf(countersign.ECONFLICT, "message %s is pending: it is being sent", id)
		}
		now := m.db.Now()
		if _, err := tx.ExecContext(ctx, m.db.q(`UPDATE mail_messages SET status = ?, attempt_base = attempts,
			next_attempt_at = ?, updated_at = ?, sent_at = NULL WHERE id = ?`), string(notify.StatusPending), micros(now), micros(now), id); err != nil {
			return fmt.Errorf("update message: %w", err)
		}
		row.Status, row.AttemptBase, row.NextAttemptAt, row.UpdatedAt, row.SentAt = string(notify.StatusPending), row.Attempts,
			sql.NullInt64{Int64: micros(now), Valid: true}, micros(now), sql.NullInt64{}
		msg = row.message()
		if d := m.db.mail.dispatch; d != nil {
			tasks := []notify.Task{msg.Task()}
			tx.AfterCommit(func() { d(tasks) })
		}
		return nil
	})
	return msg, err
}
