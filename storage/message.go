package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/workflow"
)

// PostProcessMessage records that signer signerID of process processID posted
// text to the process creator: the message is stored and
// transaction.chat.message.received written in one transaction. The answer
// (and the stored response body) is the message.
func (ps *Processes) PostProcessMessage(ctx context.Context, actor countersign.Actor, processID, signerID, text string) (events.ChatMessageData, error) {
	var msg events.ChatMessageData
	_, err := ps.db.changeProcess(ctx, actor, processID, processChange{
		cmd: func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) {
			return p.PostMessage(signerID, text, now)
		},
		respond: func(_ *workflow.Process, emitted []workflow.Emitted) any { return chatMessage(emitted) },
		also: func(ctx context.Context, tx *Tx, p *workflow.Process, emitted []workflow.Emitted) error {
			msg = chatMessage(emitted)
			if _, err := tx.ExecContext(ctx, ps.db.q(`INSERT INTO process_messages (id, workspace_id, process_id,
				signer_id, message, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
				msg.ID, p.WorkspaceID, p.ID, msg.SignerID, msg.Message, micros(msg.CreatedAt)); err != nil {
				return fmt.Errorf("insert process message: %w", err)
			}
			return nil
		},
	})
	return msg, err
}

// chatMessage returns the message a PostMessage emitted.
func chatMessage(emitted []workflow.Emitted) events.ChatMessageData {
	for _, e := range emitted {
		if m, ok := e.Data.(events.ChatMessageData); ok {
			return m
		}
	}
	return events.ChatMessageData{}
}

// ListProcessMessages returns one page of a process's chat messages, oldest
// first. An unknown process is not found.
func (ps *Processes) ListProcessMessages(ctx context.Context, workspaceID, processID string, page workflow.Paging) ([]events.ChatMessageData, int64, error) {
	if _, err := ps.GetProcess(ctx, workspaceID, processID); err != nil {
		return nil, 0, err
	}
	var total int64
	if err := ps.db.x.GetContext(ctx, &total, ps.db.q("SELECT COUNT(*) FROM process_messages WHERE workspace_id = ? AND process_id = ?"),
		workspaceID, processID); err != nil {
		return nil, 0, classify(fmt.Errorf("count process messages: %w", err))
	}
	var rows []struct {
		ID        string `db:"id"`
		SignerID  string `db:"signer_id"`
		Message   string `db:"message"`
		CreatedAt int64  `db:"created_at"`
	}
	if err := ps.db.x.SelectContext(ctx, &rows, ps.db.q(`SELECT id, signer_id, message, created_at FROM process_messages
		WHERE workspace_id = ? AND process_id = ? ORDER BY created_at, id LIMIT ? OFFSET ?`),
		workspaceID, processID, page.Size, page.Offset()); err != nil {
		return nil, 0, classify(fmt.Errorf("list process messages: %w", err))
	}
	content := make([]events.ChatMessageData, len(rows))
	for i, r := range rows {
		content[i] = events.ChatMessageData{ID: r.ID, ProcessID: processID, SignerID: r.SignerID,
			Message: r.Message, CreatedAt: fromMicros(r.CreatedAt)}
	}
	return content, total, nil
}
