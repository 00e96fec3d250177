package storage

import (
	"context"
	"fmt"
	"sync"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/webhook"
)

// Dispatcher receives the delivery tasks of a transaction once it has
// committed. It must not block: it hands them to the queue in the background.
// Tasks it drops are found by the reconciler, since the rows are committed.
type Dispatcher func(tasks []webhook.Task)

// SetDispatcher installs the function that queues new deliveries. Call it
// before serving; without one, deliveries wait for the reconciler.
func (db *DB) SetDispatcher(d Dispatcher) { db.dispatcher = d }

// subscriber is an enabled endpoint with its compiled subscription.
type subscriber struct {
	id  string
	sub webhook.Subscription
}

// subscriptionCache compiles each endpoint's patterns once per version.
type subscriptionCache struct {
	mu      sync.Mutex
	entries map[string]compiledSub
}

type compiledSub struct {
	updatedAt int64
	sub       webhook.Subscription
}

// fanOut creates one pending delivery per event and matching enabled endpoint
// (only that endpoint when only is set, which is how webhook.test reaches one
// endpoint and nothing else) and queues them after commit.
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
	var tasks []webhook.Task
	for _, o := range evs {
		if o.event.WorkspaceID != ws {
			return fmt.Errorf("fan out: events of two workspaces in one transaction")
		}
		for _, s := range subs {
			if only != "" && s.id != only || only == "" && (o.event.Type == events.WebhookTest || !s.sub.Matches(o.event.Type)) {
				continue
			}
			id := countersign.NewID(countersign.PrefixDelivery, now)
			if _, err := db.txExec(ctx, tx, sqlInsertDelivery, id, ws, o.event.ID, s.id, string(o.event.Type),
				string(webhook.StatusPending), micros(now), micros(now), micros(now)); err != nil {
				return fmt.Errorf("insert delivery: %w", err)
			}
			tasks = append(tasks, webhook.Task{DeliveryID: id, WorkspaceID: ws, EndpointID: s.id, EventID: o.event.ID, Attempt: 1})
		}
	}
	if len(tasks) > 0 && db.dispatcher != nil {
		dispatch := db.dispatcher
		tx.AfterCommit(func() { dispatch(tasks) })
	}
	return nil
}

// subscribers returns the workspace's enabled endpoints, compiling each
// endpoint's subscription only when it changed.
func (db *DB) subscribers(ctx context.Context, tx *Tx, workspaceID string) ([]subscriber, error) {
	var rows []struct {
		ID         string `db:"id"`
		EventTypes string `db:"event_types"`
		UpdatedAt  int64  `db:"updated_at"`
	}
	stmt, err := db.stmt(ctx, tx, sqlSubscribers)
	if err != nil {
		return nil, err
	}
	if err := stmt.SelectContext(ctx, &rows, workspaceID); err != nil {
		return nil, fmt.Errorf("load subscriptions: %w", err)
	}
	out := make([]subscriber, 0, len(rows))
	c := &db.subs
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]compiledSub{}
	}
	for _, r := range rows {
		cs, ok := c.entries[r.ID]
		if !ok || cs.updatedAt != r.UpdatedAt {
			var patterns []string
			if err := jsonUnmarshalString(r.EventTypes, &patterns); err != nil {
				return nil, fmt.Errorf("decode event types of %s: %w", r.ID, err)
			}
			cs = compiledSub{updatedAt: r.UpdatedAt, sub: webhook.NewSubscription(patterns)}
			c.entries[r.ID] = cs
		}
		out = append(out, subscriber{id: r.ID, sub: cs.sub})
	}
	return out, nil
}
