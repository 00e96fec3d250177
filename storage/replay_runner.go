package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

// replayBurst bounds how much unused pace a replay can save up: after an idle
// spell (workers down, endpoint disabled) it resumes at its rate instead of
// sending the backlog at once.
const replayBurst = time.Second

// errReplayMoved rolls back a step that another runner took first.
var errReplayMoved = errors.New("replay advanced by another runner")

// RunReplays makes one step of every running bulk replay, the most starved
// first: within its rate since its last step, each creates the replay
// deliveries of the next matching deliveries after its cursor, queues them
// after commit, and advances. budget bounds the deliveries of the whole call.
// Runners in several processes may run at once: a step commits only if the
// replay did not move meanwhile. It returns how many deliveries it created.
func (db *DB) RunReplays(ctx context.Context, now time.Time, budget int) (int, error) {
	var rows []replayRow
	err := db.SelectContext(ctx, &rows, db.q("SELECT "+replayColumns+` FROM replays WHERE status = ?
		ORDER BY updated_at, id LIMIT 100`), string(webhook.ReplayRunning))
	if err != nil {
		return 0, classify(fmt.Errorf("list running replays: %w", err))
	}
	made := 0
	var errs []error
	for _, row := range rows {
		if made >= budget {
			break
		}
		r, err := row.replay()
		if err == nil {
			var n int
			n, err = db.stepReplay(ctx, r, now, budget-made)
			made += n
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("replay %s: %w", row.ID, err))
		}
	}
	return made, errors.Join(errs...)
}

// stepReplay makes up to limit of one replay's deliveries, as many as its
// rate allows at now.
func (db *DB) stepReplay(ctx context.Context, r webhook.Replay, now time.Time, limit int) (int, error) {
	paced := r.UpdatedAt
	if now.Sub(paced) > replayBurst {
		paced = now.Add(-replayBurst)
	}
	allowed := int(now.Sub(paced).Microseconds() * int64(r.RatePerSecond) / 1e6)
	if allowed = min(allowed, limit); allowed <= 0 {
		return 0, nil
	}
	// Read first, outside the transaction: the scan may be long, and the
	// transaction (SQLite's write lock) is kept to the writes.
	e, err := db.GetEndpoint(ctx, r.WorkspaceID, r.EndpointID)
	if countersign.ErrorCode(err) == countersign.ENOTFOUND {
		return 0, db.finishReplay(ctx, r, webhook.ReplayFailed, now)
	}
	if err != nil || !e.Enabled { // a disabled endpoint: wait until it is enabled again
		return 0, err
	}
	targets, last, err := db.nextToReplay(ctx, r, allowed)
	if err != nil {
		return 0, err
	}
	status, finished := webhook.ReplayRunning, any(nil)
	if len(targets) < allowed {
		status, finished = webhook.ReplayCompleted, micros(now)
	}
	paced = paced.Add(time.Duration(len(targets)) * time.Second / time.Duration(r.RatePerSecond))
	err = db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE replays SET cursor = ?, done = done + ?, status = ?, finished_at = ?,
			updated_at = ? WHERE id = ? AND status = ? AND cursor = ?`),
			last, len(targets), string(status), finished, micros(paced), r.ID, string(webhook.ReplayRunning), r.Cursor)
		if err != nil {
			return fmt.Errorf("advance replay: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errReplayMoved // cancelled, or another runner took this step
		}
		_, err = db.insertReplays(ctx, tx, r.WorkspaceID, r.ID, targets, nil)
		return err
	})
	if errors.Is(err, errReplayMoved) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return len(targets), nil
}

// nextToReplay returns up to n deliveries to replay after the cursor, in
// (created_at, id) order, which the endpoint's index serves, and the new cursor.
func (db *DB) nextToReplay(ctx context.Context, r webhook.Replay, n int) ([]replayTarget, string, error) {
	where, args := replayWhere(r.Filter, r.WorkspaceID)
	if r.Cursor != "" {
		var at int64
		if err := db.GetContext(ctx, &at, db.q("SELECT created_at FROM deliveries WHERE workspace_id = ? AND id = ?"), r.WorkspaceID, r.Cursor); err != nil {
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
	err := db.SelectContext(ctx, &rows, db.q("SELECT d.id, d.event_id, d.event_type FROM deliveries d WHERE "+where+
		" ORDER BY d.created_at, d.id LIMIT ?"), append(args, n)...)
	if err != nil {
		return nil, "", classify(fmt.Errorf("list deliveries to replay: %w", err))
	}
	last := r.Cursor
	out := make([]replayTarget, len(rows))
	for i, row := range rows {
		out[i] = replayTarget{eventID: row.EventID, eventType: row.EventType, endpointID: r.EndpointID}
		last = row.ID
	}
	return out, last, nil
}

// finishReplay ends a running replay with status.
func (db *DB) finishReplay(ctx context.Context, r webhook.Replay, status webhook.ReplayStatus, now time.Time) error {
	_, err := db.ExecContext(ctx, db.q(`UPDATE replays SET status = ?, finished_at = ?, updated_at = ? WHERE id = ? AND status = ?`),
		string(status), micros(now), micros(now), r.ID, string(webhook.ReplayRunning))
	if err != nil {
		return classify(fmt.Errorf("finish replay: %w", err))
	}
	return nil
}
