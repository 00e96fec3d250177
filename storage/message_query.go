package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/notify"
	"github.com/countersign/countersign/workflow"
)

// messageRow is the stored form of a notify.Message.
type messageRow struct {
	ID             string        `db:"id"`
	WorkspaceID    string        `db:"workspace_id"`
	ProcessID      string        `db:"process_id"`
	Key            string        `db:"dedupe_key"`
	Type           string        `db:"notice_type"`
	Cause          string        `db:"cause"`
	RecipientRole  string        `db:"recipient_role"`
	RecipientID    string        `db:"recipient_id"`
	RecipientName  string        `db:"recipient_name"`
	RecipientEmail string        `db:"recipient_email"`
	Language       string        `db:"language"`
	Subject        string        `db:"subject"`
	Text           string        `db:"text_body"`
	HTML           string        `db:"html_body"`
	Status         string        `db:"status"`
	Attempts       int           `db:"attempts"`
	AttemptBase    int           `db:"attempt_base"`
	NextAttemptAt  sql.NullInt64 `db:"next_attempt_at"`
	LastError      string        `db:"last_error"`
	CreatedAt      int64         `db:"created_at"`
	UpdatedAt      int64         `db:"updated_at"`
	SentAt         sql.NullInt64 `db:"sent_at"`
}

const messageColumns = `id, workspace_id, process_id, dedupe_key, notice_type, cause, recipient_role, recipient_id,
	recipient_name, recipient_email, language, subject, text_body, html_body, status, attempts, attempt_base,
	next_attempt_at, last_error, created_at, updated_at, sent_at`

func (r messageRow) message() notify.Message {
	return notify.Message{
		ID: r.ID, WorkspaceID: r.WorkspaceID, ProcessID: r.ProcessID, Key: r.Key, Type: workflow.NoticeType(r.Type),
		Cause: r.Cause, Recipient: workflow.Recipient{Role: workflow.SignerRole(r.RecipientRole), SignerID: r.RecipientID,
			Name: r.RecipientName, Email: r.RecipientEmail, Language: r.Language},
		Subject: r.Subject, Text: r.Text, HTML: r.HTML, Status: notify.Status(r.Status), Attempts: r.Attempts,
		AttemptBase: r.AttemptBase, NextAttemptAt: fromNullMicros(r.NextAttemptAt), LastError: r.LastError,
		CreatedAt: fromMicros(r.CreatedAt), UpdatedAt: fromMicros(r.UpdatedAt), SentAt: fromNullMicros(r.SentAt),
	}
}

// Message returns a message of a workspace.
func (m *Messages) Message(ctx context.Context, workspaceID, id string) (notify.Message, error) {
	var row messageRow
	err := m.db.x.GetContext(ctx, &row, m.db.q("SELECT "+messageColumns+" FROM mail_messages WHERE workspace_id = ? AND id = ?"), workspaceID, id)
	if isNoRows(err) {
		return notify.Message{}, countersign.NotFound("message")
	}
	if err != nil {
		return notify.Message{}, classify(fmt.Errorf("get message: %w", err))
	}
	return row.message(), nil
}

// Get returns a message with its attempts, oldest first.
func (m *Messages) Get(ctx context.Context, workspaceID, id string) (notify.Message, []notify.Attempt, error) {
	msg, err := m.Message(ctx, workspaceID, id)
	if err != nil {
		return msg, nil, err
	}
	var rows []struct {
		Number    int    `db:"attempt"`
		StartedAt int64  `db:"started_at"`
		Latency   int64  `db:"latency_us"`
		Outcome   string `db:"outcome"`
		Code      int    `db:"reply_code"`
		Reply     string `db:"reply"`
		Error     string `db:"error"`
	}
	if err := m.db.x.SelectContext(ctx, &rows, m.db.q(`SELECT attempt, started_at, latency_us, outcome, reply_code, reply, error
		FROM mail_attempts WHERE message_id = ? ORDER BY attempt`), id); err != nil {
		return msg, nil, classify(fmt.Errorf("list message attempts: %w", err))
	}
	out := make([]notify.Attempt, len(rows))
	for i, r := range rows {
		out[i] = notify.Attempt{MessageID: id, Number: r.Number, StartedAt: fromMicros(r.StartedAt),
			Latency: time.Duration(r.Latency) * time.Microsecond, Outcome: notify.Outcome(r.Outcome), Code: r.Code, Reply: r.Reply, Error: r.Error}
	}
	return msg, out, nil
}

// List returns a workspace's messages matching f, newest first, after the
// message id startingAfter ("" from the newest); more reports a next page.
func (m *Messages) List(ctx context.Context, workspaceID string, f notify.Filter, startingAfter string, limit int) (out []notify.Message, more bool, err error) {
	conds, args := []string{"workspace_id = ?"}, []any{workspaceID}
	add := func(cond string, arg any) { conds = append(conds, cond); args = append(args, arg) }
	if f.ProcessID != "" {
		add("process_id = ?", f.ProcessID)
	}
	if f.Recipient != "" {
		add("LOWER(recipient_email) = ?", strings.ToLower(f.Recipient))
	}
	if f.Status != "" {
		add("status = ?", string(f.Status))
	}
	if f.Type != "" {
		add("notice_type = ?", string(f.Type))
	}
	if f.CreatedAfter != nil {
		add("created_at >= ?", micros(*f.CreatedAfter))
	}
	if f.CreatedBefore != nil {
		add("created_at < ?", micros(*f.CreatedBefore))
	}
	if startingAfter != "" {
		add("id < ?", startingAfter)
	}
	var rows []messageRow
	err = m.db.x.SelectContext(ctx, &rows, m.db.q("SELECT "+messageColumns+" FROM mail_messages WHERE "+
		strings.Join(conds, " AND ")+" ORDER BY id DESC LIMIT ?"), append(args, limit+1)...)
	if err != nil {
		return nil, false, classify(fmt.Errorf("list messages: %w", err))
	}
	if more = len(rows) > limit; more {
		rows = rows[:limit]
	}
	out = make([]notify.Message, len(rows))
	for i, r := range rows {
		out[i] = r.message()
	}
	return out, more, nil
}
