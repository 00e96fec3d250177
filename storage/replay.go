package storage

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/webhook"
)

// A replay is a new delivery of an event that was delivered (or not) before:
// same event, so the same webhook-id and body, and replay_id set to the id of
// what was replayed: the delivery (dlv_…) for a single replay, the event
// (evt_…) for an event replay, the bulk replay (rpl_…) for a bulk one. Its
// tasks go to the replays queue, behind live traffic.

// replayTarget is one delivery a replay is about to create.
type replayTarget struct {
	eventID, eventType, endpointID string
}

// ReplayDelivery creates a new delivery of the delivery's event to its
// endpoint and queues it after commit through the dispatcher. A deleted or disabled endpoint, or an event whose body
// retention expunged, is a conflict.
func (wh *Webhooks) ReplayDelivery(ctx context.Context, actor countersign.Actor, id string) (webhook.Delivery, error) {
	var out []webhook.Delivery
	err := wh.db.Tx(ctx, func(tx *Tx) error {
		var row deliveryRow
		err := tx.GetContext(ctx, &row, wh.db.q("SELECT "+deliveryColumns+" FROM deliveries WHERE workspace_id = ? AND id = ?"), actor.WorkspaceID, id)
		if isNoRows(err) {
			return countersign.NotFound("delivery")
		}
		if err != nil {
			return fmt.Errorf("get delivery: %w", err)
		}
		if err := wh.db.replayableEndpoint(ctx, tx, actor.WorkspaceID, row.EndpointID, true); err != nil {
			return err
		}
		if _, err := wh.db.replayableEvent(ctx, tx, actor.WorkspaceID, row.EventID); err != nil {
			return err
		}
		out, err = wh.db.insertReplays(ctx, tx, actor.WorkspaceID, id, []replayTarget{{row.EventID, row.EventType, row.EndpointID}})
		return err
	})
	if err != nil {
		return webhook.Delivery{}, err
	}
	return out[0], nil
}

// ReplayEvent creates a new delivery of an event to every enabled endpoint
// whose subscription matches its type, or only to endpointID when it is set
// (which must be enabled and subscribe to the type; a webhook.test event may
// go to any endpoint), and queues them after commit through the dispatcher.
func (wh *Webhooks) ReplayEvent(ctx context.Context, actor countersign.Actor, eventID, endpointID string) ([]webhook.Delivery, error) {
	var out []webhook.Delivery
	err := wh.db.Tx(ctx, func(tx *Tx) error {
		t, err := wh.db.replayableEvent(ctx, tx, actor.WorkspaceID, eventID)
		if err != nil {
			return err
		}
		var targets []replayTarget
		if endpointID != "" {
			e, err := wh.db.endpoint(ctx, tx, actor.WorkspaceID, endpointID)
			if err != nil {
				return err
			}
			if !e.Enabled {
				return countersign.Errorf(countersign.ECONFLICT, "webhook endpoint %s is disabled", endpointID)
			}
			if !webhook.ReplayableTo(e, t) {
				return countersign.FieldErrorf(countersign.EVALIDATION, "endpoint_id", "webhook endpoint %s does not subscribe to %s", endpointID, t)
			}
			targets = append(targets, replayTarget{eventID, string(t), endpointID})
		} else {
			subs, err := wh.db.subscribers(ctx, tx, actor.WorkspaceID)
			if err != nil {
				return err
			}
			for _, id := range webhook.Recipients(subs, t, "") {
				targets = append(targets, replayTarget{eventID, string(t), id})
			}
			if len(targets) == 0 {
				return countersign.Errorf(countersign.ECONFLICT, "no enabled webhook endpoint subscribes to %s", t)
			}
		}
		out, err = wh.db.insertReplays(ctx, tx, actor.WorkspaceID, eventID, targets)
		return err
	})
	return out, err
}

// replayableEndpoint refuses a replay to an endpoint that was deleted (a
// conflict when the id came from a stored delivery, not found otherwise) or
// that is disabled.
func (db *DB) replayableEndpoint(ctx context.Context, tx *Tx, workspaceID, id string, stored bool) error {
	e, err := db.endpoint(ctx, tx, workspaceID, id)
	if countersign.ErrorCode(err) == countersign.ENOTFOUND && stored {
		return countersign.Errorf(countersign.ECONFLICT, "webhook endpoint %s was deleted", id)
	}
	if err != nil {
		return err
	}
	if !e.Enabled {
		return countersign.Errorf(countersign.ECONFLICT, "webhook endpoint %s is disabled; enable it before replaying", id)
	}
	return nil
}

// replayableEvent returns the type of an event that still has its body.
func (db *DB) replayableEvent(ctx context.Context, tx *Tx, workspaceID, id string) (events.Type, error) {
	var ev struct {
		Type string         `db:"type"`
		Body sql.NullString `db:"body"`
	}
	err := tx.GetContext(ctx, &ev, db.q("SELECT type, body FROM events WHERE workspace_id = ? AND id = ?"), workspaceID, id)
	if isNoRows(err) {
		return "", countersign.NotFound("event")
	}
	if err != nil {
		return "", fmt.Errorf("get event: %w", err)
	}
	if !ev.Body.Valid {
		return "", countersign.Errorf(countersign.ECONFLICT, "event %s was expunged by retention; it can no longer be replayed", id)
	}
	return events.Type(ev.Type), nil
}

// insertReplays creates the replay deliveries of targets, due now, and queues
// them after commit through the dispatcher (without one, the reconciler
// queues them: they are due).
func (db *DB) insertReplays(ctx context.Context, tx *Tx, workspaceID, replayID string, targets []replayTarget) ([]webhook.Delivery, error) {
	now := db.Now()
	stmt := db.q(`INSERT INTO deliveries (id, workspace_id, event_id, endpoint_id, event_type, status, attempts,
		next_attempt_at, replay_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`)
	out := make([]webhook.Delivery, 0, len(targets))
	for _, t := range targets {
		next := now
		d := webhook.Delivery{ID: countersign.NewID(countersign.PrefixDelivery, now), WorkspaceID: workspaceID,
			EventID: t.eventID, EndpointID: t.endpointID, EventType: t.eventType, Status: webhook.StatusPending,
			NextAttemptAt: &next, ReplayID: replayID, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.ExecContext(ctx, stmt, d.ID, workspaceID, d.EventID, d.EndpointID, d.EventType,
			string(d.Status), micros(now), replayID, micros(now), micros(now)); err != nil {
			return nil, fmt.Errorf("insert replay delivery: %w", err)
		}
		out = append(out, d)
	}
	if dispatch := db.dispatcher; dispatch != nil && len(out) > 0 {
		tasks := webhook.ReplayTasks(out)
		tx.AfterCommit(func() { dispatch(tasks) })
	}
	return out, nil
}
