package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/countersign/countersign/webhook"
)

// healthSample bounds the attempts an endpoint's success rate is computed
// from, so that a busy endpoint's health stays a cheap read.
const healthSample = 10000

// EndpointHealth summarizes an endpoint's attempts since since: the share
// that succeeded, how many there were, the current failure run and the most
// recent attempts. It reads delivery_attempts by (endpoint_id, started_at).
func (wh *Webhooks) EndpointHealth(ctx context.Context, workspaceID, id string, since time.Time) (webhook.Health, error) {
	e, err := wh.GetEndpoint(ctx, workspaceID, id)
	if err != nil {
		return webhook.Health{}, err
	}
	// attempts_24h is counted on the (endpoint_id, started_at) index alone
	// (the endpoint was just found in the workspace); the success rate reads
	// rows, so it is taken over the most recent healthSample attempts.
	h := webhook.Health{FailingSince: e.FailingSince}
	err = wh.db.x.GetContext(ctx, &h.Attempts, wh.db.q(`SELECT COUNT(*) FROM delivery_attempts WHERE endpoint_id = ? AND started_at >= ?`),
		id, micros(since))
	if err != nil {
		return webhook.Health{}, classify(fmt.Errorf("count attempts of endpoint %s: %w", id, err))
	}
	var sample struct {
		Attempts  int           `db:"attempts"`
		Successes sql.NullInt64 `db:"successes"`
	}
	err = wh.db.x.GetContext(ctx, &sample, wh.db.q(`SELECT COUNT(*) AS attempts,
		SUM(CASE WHEN error_class = '' AND status_code BETWEEN 200 AND 299 THEN 1 ELSE 0 END) AS successes
		FROM (SELECT error_class, status_code FROM delivery_attempts WHERE endpoint_id = ? AND started_at >= ? AND workspace_id = ?
		ORDER BY started_at DESC LIMIT ?) recent`), id, micros(since), workspaceID, healthSample)
	if err != nil {
		return webhook.Health{}, classify(fmt.Errorf("sample attempts of endpoint %s: %w", id, err))
	}
	if sample.Attempts > 0 {
		rate := float64(sample.Successes.Int64) / float64(sample.Attempts)
		h.SuccessRate = &rate
	}
	if h.LastAttempts, err = wh.db.recentAttempts(ctx, workspaceID, id, webhook.HealthRecentAttempts); err != nil {
		return webhook.Health{}, err
	}
	return h, nil
}

// recentAttempts returns an endpoint's last n attempts, newest first, without
// their response bodies.
func (db *DB) recentAttempts(ctx context.Context, workspaceID, endpointID string, n int) ([]webhook.Attempt, error) {
	var rows []attemptRow
	err := db.x.SelectContext(ctx, &rows, db.q(`SELECT id, delivery_id, endpoint_id, attempt, started_at, latency_us,
		status_code, error_class, error, truncated FROM delivery_attempts
		WHERE endpoint_id = ? AND workspace_id = ? ORDER BY started_at DESC, id DESC LIMIT ?`), endpointID, workspaceID, n)
	if err != nil {
		return nil, classify(fmt.Errorf("list recent attempts of endpoint %s: %w", endpointID, err))
	}
	out := make([]webhook.Attempt, len(rows))
	for i, r := range rows {
		out[i] = webhook.Attempt{ID: r.ID, DeliveryID: r.DeliveryID, EndpointID: r.EndpointID, Number: r.Attempt,
			StartedAt: fromMicros(r.StartedAt), Latency: time.Duration(r.LatencyUS) * time.Microsecond,
			ErrorClass: webhook.ErrorClass(r.ErrorClass), Error: r.Error, Truncated: r.Truncated}
		if r.StatusCode.Valid {
			c := int(r.StatusCode.Int64)
			out[i].StatusCode = &c
		}
	}
	return out, nil
}
