package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/countersign/countersign/webhook"
)

// The bulk replay runner (webhook.ReplayRunner) decides the pace; these are
// the reads and writes it makes.

// errReplayMoved rolls back a step that another runner took first.
var errReplayMoved = errors.New("replay advanced by another runner")

// RunningReplays returns up to limit running bulk replays, the least recently
// stepped first (their updated_at is the pacing clock). A replay whose row
// cannot be decoded is left out and reported in the error.
func (wh *Webhooks) RunningReplays(ctx context.Context, limit int) ([]webhook.Replay, error) {
	var rows []replayRow
	err := wh.db.x.SelectContext(ctx, &rows, wh.db.q("SELECT "+replayColumns+` FROM replays WHERE status = ?
		ORDER BY updated_at, id LIMIT ?`), string(webhook.ReplayRunning), limit)
	if err != nil {
		return nil, classify(fmt.Errorf("list running replays: %w", err))
	}
	out := make([]webhook.Replay, 0, len(rows))
	var errs []error
	for _, row := range rows {
		r, err := row.replay()
		if err != nil {
			errs = append(errs, fmt.Errorf("replay %s: %w", row.ID, err))
			continue
		}
		out = append(out, r)
	}
	return out, errors.Join(errs...)
}

// AdvanceReplay writes one step of a bulk replay in one transaction: the
// replay deliveries of step.Deliveries, queued after commit, and the replay's
// new cursor, count, status and pacing clock, provided the replay is still
// running at the cursor it was read at; otherwise it reports false.
func (wh *Webhooks) AdvanceReplay(ctx context.Context, r webhook.Replay, step webhook.ReplayStep) (bool, error) {
	var finished any
	if step.Status != webhook.ReplayRunning {
		finished = micros(step.Now)
	}
	targets := make([]replayTarget, len(step.Deliveries))
	for i, d := range step.Deliveries {
		targets[i] = replayTarget{eventID: d.EventID, eventType: d.EventType, endpointID: d.EndpointID}
	}
	err := wh.db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, wh.db.q(`UPDATE replays SET cursor = ?, done = done + ?, status = ?, finished_at = ?,
			updated_at = ? WHERE id = ? AND status = ? AND cursor = ?`),
			step.Cursor, len(targets), string(step.Status), finished, micros(step.Paced), r.ID, string(webhook.ReplayRunning), r.Cursor)
		if err != nil {
			return fmt.Errorf("advance replay: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errReplayMoved // cancelled, or another runner took this step
		}
		_, err = wh.db.insertReplays(ctx, tx, r.WorkspaceID, r.ID, targets)
		return err
	})
	if errors.Is(err, errReplayMoved) {
		return false, nil
	}
	return err == nil, err
}

// NextToReplay returns up to n deliveries to replay after the cursor, in
// (created_at, id) order, which the endpoint's index serves, and the new cursor.
func (wh *Webhooks) NextToReplay(ctx context.Context, r webhook.Replay, n int) ([]webhook.Delivery, string, error) {
	where, args := replayWhere(r.Filter, r.WorkspaceID)
	if r.Cursor != "" {
		var at int64
		if err := wh.db.x.GetContext(ctx, &at, wh.db.q("SELECT created_at FROM deliveries WHERE workspace_id = ? AND id = ?"), r.WorkspaceID, r.Cursor); err != nil {
			return nil, "", classify(fmt.Errorf("find replay cursor %s: %w", r.Cursor, err))
		}
		where += " AND (d.created_at > ? OR (d.created_at = ? AND d.id > ?))"
		args = append(args, at, at, r.Cursor)
	}
	var rows []struct {
		ID        string `db:"id"`
		EventID   string `db:"event_id"`
		EventType string `db:"event_type"`
	}
	err := wh.db.x.SelectContext(ctx, &rows, wh.db.q("SELECT d.id, d.event_id, d.event_type FROM deliveries d WHERE "+where+
		" ORDER BY d.created_at, d.id LIMIT ?"), append(args, n)...)
	if err != nil {
		return nil, "", classify(fmt.Errorf("list deliveries to replay: %w", err))
	}
	last := r.Cursor
	out := make([]webhook.Delivery, len(rows))
	for i, row := range rows {
		out[i] = webhook.Delivery{ID: row.ID, WorkspaceID: r.WorkspaceID, EventID: row.EventID, EventType: row.EventType,
			EndpointID: r.EndpointID}
		last = row.ID
	}
	return out, last, nil
}

// FinishReplay ends a running replay with status.
func (wh *Webhooks) FinishReplay(ctx context.Context, r webhook.Replay, status webhook.ReplayStatus, now time.Time) error {
	_, err := wh.db.x.ExecContext(ctx, wh.db.q(`UPDATE replays SET status = ?, finished_at = ?, updated_at = ? WHERE id = ? AND status = ?`),
		string(status), micros(now), micros(now), r.ID, string(webhook.ReplayRunning))
	if err != nil {
		return classify(fmt.Errorf("finish replay: %w", err))
	}
	return nil
}
