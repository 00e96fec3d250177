package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

// deliveryRow is the stored form of a delivery.
type deliveryRow struct {
	ID             string         `db:"id"`
	WorkspaceID    string         `db:"workspace_id"`
	EventID        string         `db:"event_id"`
	EndpointID     string         `db:"endpoint_id"`
	EventType      string         `db:"event_type"`
	Status         string         `db:"status"`
	Attempts       int            `db:"attempts"`
	NextAttemptAt  sql.NullInt64  `db:"next_attempt_at"`
	LastStatusCode sql.NullInt64  `db:"last_status_code"`
	LastError      sql.NullString `db:"last_error"`
	ReplayID       sql.NullString `db:"replay_id"`
	CreatedAt      int64          `db:"created_at"`
	UpdatedAt      int64          `db:"updated_at"`
	DeliveredAt    sql.NullInt64  `db:"delivered_at"`
	OrderKey       sql.NullString `db:"order_key"`
}

const deliveryColumns = `id, workspace_id, event_id, endpoint_id, event_type, status, attempts, next_attempt_at,
	last_status_code, last_error, replay_id, created_at, updated_at, delivered_at, order_key`

func (r deliveryRow) delivery() webhook.Delivery {
	d := webhook.Delivery{
		ID: r.ID, WorkspaceID: r.WorkspaceID, EventID: r.EventID, EndpointID: r.EndpointID, EventType: r.EventType,
		Status: webhook.Status(r.Status), Attempts: r.Attempts, NextAttemptAt: fromNullMicros(r.NextAttemptAt),
		LastError: r.LastError.String, ReplayID: r.ReplayID.String, CreatedAt: fromMicros(r.CreatedAt),
		UpdatedAt: fromMicros(r.UpdatedAt), DeliveredAt: fromNullMicros(r.DeliveredAt),
	}
	if r.LastStatusCode.Valid {
		c := int(r.LastStatusCode.Int64)
		d.LastStatusCode = &c
	}
	return d
}

// task is the queue task for the delivery's next attempt.
func (r deliveryRow) task() webhook.Task {
	return webhook.Task{DeliveryID: r.ID, WorkspaceID: r.WorkspaceID, EndpointID: r.EndpointID, EventID: r.EventID,
		Attempt: r.Attempts + 1, Replay: r.ReplayID.Valid, MayHaveRun: true, OrderKey: r.OrderKey.String}
}

// EventBody returns an event's stored envelope, nil once it was expunged.
func (wh *Webhooks) EventBody(ctx context.Context, workspaceID, eventID string) ([]byte, error) {
	var body sql.NullString
	err := wh.db.x.GetContext(ctx, &body, wh.db.q("SELECT body FROM events WHERE workspace_id = ? AND id = ?"), workspaceID, eventID)
	if isNoRows(err) {
		return nil, countersign.NotFound("event")
	}
	if err != nil {
		return nil, classify(fmt.Errorf("get event body: %w", err))
	}
	if !body.Valid {
		return nil, nil
	}
	return []byte(body.String), nil
}

// AttemptDue reports whether attempt t.Attempt of t's delivery is still to
// be made: the delivery is pending after t.Attempt-1 attempts. An unknown
// delivery is not due.
func (wh *Webhooks) AttemptDue(ctx context.Context, t webhook.Task) (bool, error) {
	var row struct {
		Status   string `db:"status"`
		Attempts int    `db:"attempts"`
	}
	err := wh.db.x.GetContext(ctx, &row, wh.db.q("SELECT status, attempts FROM deliveries WHERE id = ? AND workspace_id = ?"),
		t.DeliveryID, t.WorkspaceID)
	if isNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, classify(fmt.Errorf("read delivery state: %w", err))
	}
	return row.Status == string(webhook.StatusPending) && row.Attempts == t.Attempt-1, nil
}

// DueDeliveries returns tasks for pending deliveries due at or before
// dueBefore, in due order after cursor, and the cursor to continue from (the
// zero cursor once the scan reached the end).
func (wh *Webhooks) DueDeliveries(ctx context.Context, dueBefore time.Time, after webhook.DueCursor, limit int) ([]webhook.Task, webhook.DueCursor, error) {
	var rows []deliveryRow
	err := wh.db.x.SelectContext(ctx, &rows, wh.db.q("SELECT "+deliveryColumns+` FROM deliveries
		WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ?
		AND (next_attempt_at > ? OR (next_attempt_at = ? AND id > ?))
		ORDER BY next_attempt_at, id LIMIT ?`), micros(dueBefore), after.At, after.At, after.ID, limit)
	if err != nil {
		return nil, after, classify(fmt.Errorf("list due deliveries: %w", err))
	}
	tasks := make([]webhook.Task, len(rows))
	for i, r := range rows {
		tasks[i] = r.task()
	}
	next := webhook.DueCursor{}
	if len(rows) == limit {
		last := rows[len(rows)-1]
		next = webhook.DueCursor{At: last.NextAttemptAt.Int64, ID: last.ID}
	}
	return tasks, next, nil
}

// deliveryWhere returns the SQL condition and arguments of a filter.
func deliveryWhere(f webhook.DeliveryFilter, workspaceID string) (string, []any) {
	conds := []string{"workspace_id = ?"}
	args := []any{workspaceID}
	add := func(cond string, arg any) { conds = append(conds, cond); args = append(args, arg) }
	if f.EndpointID != "" {
		add("endpoint_id = ?", f.EndpointID)
	}
	if f.EventID != "" {
		add("event_id = ?", f.EventID)
	}
	if prefix, ok := strings.CutSuffix(f.EventType, "*"); ok {
		add(`event_type LIKE ? ESCAPE '\'`, likePrefix(prefix))
	} else if f.EventType != "" {
		add("event_type = ?", f.EventType)
	}
	if f.Status != "" {
		add("status = ?", string(f.Status))
	}
	if f.CreatedAfter != nil {
		add("created_at >= ?", micros(*f.CreatedAfter))
	}
	if f.CreatedBefore != nil {
		add("created_at < ?", micros(*f.CreatedBefore))
	}
	return strings.Join(conds, " AND "), args
}

// likePrefix escapes a LIKE prefix; event types hold no % or _ but ids might.
func likePrefix(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(p) + "%"
}

// ListDeliveries returns up to limit deliveries newest first, older than the
// delivery startingAfter when it is set.
func (wh *Webhooks) ListDeliveries(ctx context.Context, workspaceID string, f webhook.DeliveryFilter, startingAfter string, limit int) ([]webhook.Delivery, bool, error) {
	where, args := deliveryWhere(f, workspaceID)
	if startingAfter != "" {
		where += " AND id < ?"
		args = append(args, startingAfter)
	}
	var rows []deliveryRow
	err := wh.db.x.SelectContext(ctx, &rows, wh.db.q("SELECT "+deliveryColumns+" FROM deliveries WHERE "+where+
		" ORDER BY id DESC LIMIT ?"), append(args, limit+1)...)
	if err != nil {
		return nil, false, classify(fmt.Errorf("list deliveries: %w", err))
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	out := make([]webhook.Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.delivery()
	}
	return out, more, nil
}

// GetDelivery returns a delivery with its attempts, oldest first.
func (wh *Webhooks) GetDelivery(ctx context.Context, workspaceID, id string) (webhook.Delivery, []webhook.Attempt, error) {
	var row deliveryRow
	err := wh.db.x.GetContext(ctx, &row, wh.db.q("SELECT "+deliveryColumns+" FROM deliveries WHERE workspace_id = ? AND id = ?"), workspaceID, id)
	if isNoRows(err) {
		return webhook.Delivery{}, nil, countersign.NotFound("delivery")
	}
	if err != nil {
		return webhook.Delivery{}, nil, classify(fmt.Errorf("get delivery: %w", err))
	}
	attempts, err := wh.db.attemptsOf(ctx, workspaceID, "delivery_id = ?", id, 1000)
	return row.delivery(), attempts, err
}

// attemptRow is the stored form of an attempt.
type attemptRow struct {
	ID              string         `db:"id"`
	DeliveryID      string         `db:"delivery_id"`
	EndpointID      string         `db:"endpoint_id"`
	Attempt         int            `db:"attempt"`
	StartedAt       int64          `db:"started_at"`
	LatencyUS       int64          `db:"latency_us"`
	StatusCode      sql.NullInt64  `db:"status_code"`
	ErrorClass      string         `db:"error_class"`
	Error           string         `db:"error"`
	ResponseHeaders sql.NullString `db:"response_headers"`
	ResponseBody    sql.NullString `db:"response_body"`
	Truncated       bool           `db:"truncated"`
}

// attemptsOf returns attempts matching cond (one placeholder) in start order.
func (db *DB) attemptsOf(ctx context.Context, workspaceID, cond string, arg any, limit int) ([]webhook.Attempt, error) {
	var rows []attemptRow
	err := db.x.SelectContext(ctx, &rows, db.q(`SELECT id, delivery_id, endpoint_id, attempt, started_at, latency_us, status_code,
		error_class, error, response_headers, response_body, truncated FROM delivery_attempts
		WHERE workspace_id = ? AND `+cond+` ORDER BY started_at, attempt LIMIT ?`), workspaceID, arg, limit)
	if err != nil {
		return nil, classify(fmt.Errorf("list attempts: %w", err))
	}
	out := make([]webhook.Attempt, len(rows))
	for i, r := range rows {
		a := webhook.Attempt{ID: r.ID, DeliveryID: r.DeliveryID, EndpointID: r.EndpointID, Number: r.Attempt,
			StartedAt: fromMicros(r.StartedAt), Latency: time.Duration(r.LatencyUS) * time.Microsecond,
			ErrorClass: webhook.ErrorClass(r.ErrorClass), Error: r.Error, ResponseBody: r.ResponseBody.String, Truncated: r.Truncated}
		if r.StatusCode.Valid {
			c := int(r.StatusCode.Int64)
			a.StatusCode = &c
		}
		if r.ResponseHeaders.Valid {
			_ = json.Unmarshal([]byte(r.ResponseHeaders.String), &a.ResponseHeaders)
		}
		out[i] = a
	}
	return out, nil
}
