package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/countersign/countersign/webhook"
)

// ListReplays returns a page of a workspace's bulk replays, newest first
// (by id, whose time prefix is the creation time), and whether older ones
// follow. A StartingAfter that names no replay simply bounds the ids.
func (wh *Webhooks) ListReplays(ctx context.Context, workspaceID string, q webhook.ReplayQuery) ([]webhook.Replay, bool, error) {
	conds, args := []string{"workspace_id = ?"}, []any{workspaceID}
	if q.EndpointID != "" {
		conds, args = append(conds, "endpoint_id = ?"), append(args, q.EndpointID)
	}
	if q.Status != "" {
		conds, args = append(conds, "status = ?"), append(args, string(q.Status))
	}
	if q.StartingAfter != "" {
		conds, args = append(conds, "id < ?"), append(args, q.StartingAfter)
	}
	limit := max(q.Limit, 1)
	var rows []replayRow
	err := wh.db.x.SelectContext(ctx, &rows, wh.db.q("SELECT "+replayColumns+" FROM replays WHERE "+strings.Join(conds, " AND ")+
		" ORDER BY id DESC LIMIT ?"), append(args, limit+1)...)
	if err != nil {
		return nil, false, classify(fmt.Errorf("list replays: %w", err))
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	out := make([]webhook.Replay, len(rows))
	for i, r := range rows {
		if out[i], err = r.replay(); err != nil {
			return nil, false, err
		}
	}
	return out, more, nil
}
