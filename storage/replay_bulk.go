package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

// replayRow is the stored form of a bulk replay. Its updated_at is the
// runner's pacing clock: the moment up to which the replay has used its rate
// (never later than the last run), so pacing survives restarts and is shared
// by every worker process.
type replayRow struct {
	ID          string         `db:"id"`
	WorkspaceID string         `db:"workspace_id"`
	EndpointID  string         `db:"endpoint_id"`
	Filter      string         `db:"filter"`
	Status      string         `db:"status"`
	Total       int            `db:"total"`
	Done        int            `db:"done"`
	Cursor      string         `db:"cursor"`
	APIKeyID    sql.NullString `db:"api_key_id"`
	CreatedAt   int64          `db:"created_at"`
	UpdatedAt   int64          `db:"updated_at"`
	FinishedAt  sql.NullInt64  `db:"finished_at"`
}

const replayColumns = `id, workspace_id, endpoint_id, filter, status, total, done, cursor, api_key_id,
	created_at, updated_at, finished_at`

// replayFilterDoc is the filter column: what the replay selects, and its pace.
type replayFilterDoc struct {
	Status        webhook.Status `json:"status"`
	EventType     string         `json:"event_type,omitempty"`
	CreatedAfter  time.Time      `json:"created_after"`
	CreatedBefore time.Time      `json:"created_before"`
	RatePerSecond int            `json:"rate_per_second"`
}

func (r replayRow) replay() (webhook.Replay, error) {
	var doc replayFilterDoc
	if err := json.Unmarshal([]byte(r.Filter), &doc); err != nil {
		return webhook.Replay{}, fmt.Errorf("decode filter of replay %s: %w", r.ID, err)
	}
	after, before := doc.CreatedAfter.UTC(), doc.CreatedBefore.UTC()
	return webhook.Replay{
		ID: r.ID, WorkspaceID: r.WorkspaceID, EndpointID: r.EndpointID, RatePerSecond: max(1, doc.RatePerSecond),
		Filter: webhook.DeliveryFilter{EndpointID: r.EndpointID, Status: doc.Status, EventType: doc.EventType,
			CreatedAfter: &after, CreatedBefore: &before},
		Status: webhook.ReplayStatus(r.Status), Total: r.Total, Done: r.Done, Cursor: r.Cursor, APIKeyID: r.APIKeyID.String,
		CreatedAt: fromMicros(r.CreatedAt), UpdatedAt: fromMicros(r.UpdatedAt), FinishedAt: fromNullMicros(r.FinishedAt),
	}, nil
}

// replayWhere selects what a bulk replay sends again: the deliveries matching
// f whose event still has its body, and only the latest delivery of each
// event to the endpoint, so an event that a later replay delivered is not
// sent once more. The deliveries table is aliased d.
func replayWhere(f webhook.DeliveryFilter, workspaceID string) (string, []any) {
	where, args := deliveryWhere(f, workspaceID)
	return where + ` AND NOT EXISTS (SELECT 1 FROM deliveries n WHERE n.event_id = d.event_id
		AND n.endpoint_id = d.endpoint_id AND n.id > d.id)
		AND EXISTS (SELECT 1 FROM events e WHERE e.id = d.event_id AND e.body IS NOT NULL)`, args
}

// clampReplayFilter ends the range at now: deliveries a replay creates are
// newer, so a replay never picks up its own deliveries.
func clampReplayFilter(f webhook.DeliveryFilter, now time.Time) webhook.DeliveryFilter {
	if f.CreatedBefore == nil || f.CreatedBefore.After(now) {
		f.CreatedBefore = &now
	}
	f.EventID = ""
	return f
}

// CountReplay returns how many deliveries a bulk replay with filter f would
// send again now (a dry run); it writes nothing.
func (wh *Webhooks) CountReplay(ctx context.Context, workspaceID string, f webhook.DeliveryFilter) (int, error) {
	if _, err := wh.GetEndpoint(ctx, workspaceID, f.EndpointID); err != nil {
		return 0, err
	}
	return wh.db.countReplay(ctx, wh.db.x, workspaceID, clampReplayFilter(f, wh.db.Now()))
}

func (db *DB) countReplay(ctx context.Context, q interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}, workspaceID string, f webhook.DeliveryFilter) (int, error) {
	where, args := replayWhere(f, workspaceID)
	var n int
	if err := q.GetContext(ctx, &n, db.q("SELECT COUNT(*) FROM deliveries d WHERE "+where), args...); err != nil {
		return 0, classify(fmt.Errorf("count deliveries to replay: %w", err))
	}
	return n, nil
}

// CreateReplay records a bulk replay of the deliveries matching f (validated
// by webhook.ValidateReplayFilter) at rate new deliveries a second; the replay
// runner of the worker processes makes them. The endpoint must exist and be
// enabled. A replay that matches nothing is completed at once. The matching
// deliveries are counted before the row is written, outside any transaction,
// so a large count never holds up writers.
func (wh *Webhooks) CreateReplay(ctx context.Context, actor countersign.Actor, f webhook.DeliveryFilter, rate int) (webhook.Replay, error) {
	e, err := wh.GetEndpoint(ctx, actor.WorkspaceID, f.EndpointID)
	if err != nil {
		return webhook.Replay{}, err
	}
	if !e.Enabled {
		return webhook.Replay{}, countersign.Errorf(countersign.ECONFLICT, "webhook endpoint %s is disabled; enable it before replaying", e.ID)
	}
	now := wh.db.Now()
	f = clampReplayFilter(f, now)
	rate = min(max(rate, 1), webhook.MaxReplayRate)
	doc, err := json.Marshal(replayFilterDoc{Status: f.Status, EventType: f.EventType, CreatedAfter: *f.CreatedAfter,
		CreatedBefore: *f.CreatedBefore, RatePerSecond: rate})
	if err != nil {
		return webhook.Replay{}, fmt.Errorf("encode replay filter: %w", err)
	}
	row := replayRow{ID: countersign.NewID(countersign.PrefixReplay, now), WorkspaceID: actor.WorkspaceID, EndpointID: f.EndpointID,
		Filter: string(doc), Status: string(webhook.ReplayRunning), APIKeyID: sql.NullString{String: actor.APIKeyID, Valid: actor.APIKeyID != ""},
		CreatedAt: micros(now), UpdatedAt: micros(now)}
	if row.Total, err = wh.db.countReplay(ctx, wh.db.x, actor.WorkspaceID, f); err != nil {
		return webhook.Replay{}, err
	}
	if row.Total == 0 {
		row.Status, row.FinishedAt = string(webhook.ReplayCompleted), sql.NullInt64{Int64: micros(now), Valid: true}
	}
	_, err = wh.db.x.NamedExecContext(ctx, `INSERT INTO replays (`+replayColumns+`) VALUES (:id, :workspace_id, :endpoint_id,
		:filter, :status, :total, :done, :cursor, :api_key_id, :created_at, :updated_at, :finished_at)`, row)
	if err != nil {
		return webhook.Replay{}, classify(fmt.Errorf("insert replay: %w", err))
	}
	return row.replay()
}

// GetReplay returns one bulk replay of a workspace.
func (wh *Webhooks) GetReplay(ctx context.Context, workspaceID, id string) (webhook.Replay, error) {
	var row replayRow
	err := wh.db.x.GetContext(ctx, &row, wh.db.q("SELECT "+replayColumns+" FROM replays WHERE workspace_id = ? AND id = ?"), workspaceID, id)
	if isNoRows(err) {
		return webhook.Replay{}, countersign.NotFound("replay")
	}
	if err != nil {
		return webhook.Replay{}, classify(fmt.Errorf("get replay: %w", err))
	}
	return row.replay()
}

// CancelReplay stops a running bulk replay: the runner makes no more of its
// deliveries (those already made go on). A finished replay is a conflict.
func (wh *Webhooks) CancelReplay(ctx context.Context, actor countersign.Actor, id string) (webhook.Replay, error) {
	now := micros(wh.db.Now())
	res, err := wh.db.x.ExecContext(ctx, wh.db.q(`UPDATE replays SET status = ?, finished_at = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ? AND status = ?`),
		string(webhook.ReplayCancelled), now, now, actor.WorkspaceID, id, string(webhook.ReplayRunning))
	if err != nil {
		return webhook.Replay{}, classify(fmt.Errorf("cancel replay: %w", err))
	}
	r, err := wh.GetReplay(ctx, actor.WorkspaceID, id)
	if err != nil {
		return r, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return r, countersign.Errorf(countersign.ECONFLICT, "replay %s is already %s", id, r.Status)
	}
	return r, nil
}
