package storage

import (
	"context"
	"fmt"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

// Dispatcher receives the delivery tasks of a transaction once it has
// committed. It must not block: it hands them to the queue in the background.
// Tasks it drops are found by the reconciler, since the rows are committed.
type Dispatcher func(tasks []webhook.Task)

// SetDispatcher installs the function that queues new deliveries. Call it
// before serving; without one, deliveries wait for the reconciler.
func (db *DB) SetDispatcher(d Dispatcher) { db.dispatcher = d }

// fanOut creates one pending delivery per event and endpoint that receives it
// (webhook.Recipients decides; only names the one endpoint of a webhook.test)
// and queues them after commit.
func (db *DB) fanOut(ctx context.Context, tx *Tx, evs []outgoing, only string) error {
	if len(evs) == 0 {
		return nil
	}
	ws := evs[0].event.WorkspaceID
	subs, err := db.subscribers(ctx, tx, ws)
	if err != nil {
		return err
	}
	if len(subs) == 0 {
		return nil
	}
	now := db.Now()
	ordering := orderings(subs)
	var ordered orderedFanOut
	var tasks []webhook.Task
	for _, o := range evs {
		if o.event.WorkspaceID != ws {
			return fmt.Errorf("fan out: events of two workspaces in one transaction")
		}
		for _, endpointID := range webhook.Recipients(subs, o.event.Type, only) {
			id := countersign.NewID(countersign.PrefixDelivery, now)
			if key := webhook.OrderKey(ordering[endpointID], o.event.Type, o.resourceID); key != "" {
				t, err := db.insertOrdered(ctx, tx, &ordered, o, endpointID, key, id, now)
				if err != nil {
					return err
				}
				if t != nil {
					tasks = append(tasks, *t)
				}
				continue
			}
			if _, err := db.txExec(ctx, tx, sqlInsertDelivery, id, ws, o.event.ID, endpointID, string(o.event.Type),
				string(webhook.StatusPending), micros(now), micros(now), micros(now)); err != nil {
				return fmt.Errorf("insert delivery: %w", err)
			}
			tasks = append(tasks, webhook.Task{DeliveryID: id, WorkspaceID: ws, EndpointID: endpointID, EventID: o.event.ID, Attempt: 1})
		}
	}
	if len(tasks) > 0 && db.dispatcher != nil {
		dispatch := db.dispatcher
		tx.AfterCommit(func() { dispatch(tasks) })
	}
	return nil
}

// orderings returns the orderings of the ordered endpoints among subs; nil,
// and no cost, when there is none.
func orderings(subs []webhook.Subscriber) map[string]webhook.Ordering {
	var out map[string]webhook.Ordering
	for _, s := range subs {
		if s.Ordering != "" && s.Ordering != webhook.OrderingNone {
			if out == nil {
				out = map[string]webhook.Ordering{}
			}
			out[s.EndpointID] = s.Ordering
		}
	}
	return out
}

// subscribers returns the workspace's enabled endpoints with their compiled
// subscriptions; the cache decodes an endpoint's patterns only when it changed.
func (db *DB) subscribers(ctx context.Context, tx *Tx, workspaceID string) ([]webhook.Subscriber, error) {
	var rows []struct {
		ID         string `db:"id"`
		EventTypes string `db:"event_types"`
		UpdatedAt  int64  `db:"updated_at"`
		Ordering   string `db:"ordering"`
	}
	stmt, err := db.stmt(ctx, tx, sqlSubscribers)
	if err != nil {
		return nil, err
	}
	if err := stmt.SelectContext(ctx, &rows, workspaceID); err != nil {
		return nil, fmt.Errorf("load subscriptions: %w", err)
	}
	out := make([]webhook.Subscriber, len(rows))
	for i, r := range rows {
		sub, err := db.subs.Get(r.ID, r.UpdatedAt, func() ([]string, error) {
			var patterns []string
			if err := jsonUnmarshalString(r.EventTypes, &patterns); err != nil {
				return nil, fmt.Errorf("decode event types of %s: %w", r.ID, err)
			}
			return patterns, nil
		})
		if err != nil {
			return nil, err
		}
		out[i] = webhook.Subscriber{EndpointID: r.ID, Subscription: sub, Ordering: webhook.Ordering(r.Ordering)}
	}
	return out, nil
}
