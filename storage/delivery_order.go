package storage

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/countersign/countersign/webhook"
)

// Ordered delivery (webhook.OrderingProcess). A delivery with an order key
// is sent only while no earlier one (by event seq) of the same endpoint and
// key is pending; until then it is held: pending with no next_attempt_at, so
// neither the dispatcher nor the reconciler queues it. The delivery that
// finishes (delivered, or failed for good) makes the next one due in the
// same transaction, and the worker queues it. The event seq is the commit
// order of a process's events: they are written under the process's row lock.
//
// On PostgreSQL, the transactions that decide whether a delivery is held
// (fan-out, the park of a task out of turn, the release of stranded ones) and
// those that finish one take a transaction-scoped advisory lock on the key
// first, so each sees what the other committed. SQLite has one writer at a
// time already.

// orderLockClass is the first key of the advisory locks on order keys
// ("ord"); the two-key form keeps them apart from the migration lock.
const orderLockClass = 0x6f7264

// lockOrder takes the advisory locks of keys in one order (by their lock
// number), so two transactions never wait for each other's.
func (db *DB) lockOrder(ctx context.Context, tx *Tx, keys ...string) error {
	if db.Dialect != Postgres || len(keys) == 0 {
		return nil
	}
	nums := make([]int32, 0, len(keys))
	for _, k := range keys {
		h := fnv.New32a()
		h.Write([]byte(k))
		nums = append(nums, int32(h.Sum32()))
	}
	slices.Sort(nums)
	for _, n := range slices.Compact(nums) {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1, $2)", orderLockClass, n); err != nil {
			return fmt.Errorf("lock delivery order: %w", err)
		}
	}
	return nil
}

// lockFinishing takes the locks a batch of attempts needs, first, in the
// order every event writer takes them: the evidence heads of the batch's
// workspaces (in id order, as appendEvidence does), then the advisory locks
// of the order keys of the ordered deliveries it finishes. An event writer
// locks its workspace's head when it appends the events' evidence and the
// order key at fan-out. Were the attempt writer to take the key, or a
// delivery's row, first and the head only when it appends the attempts'
// evidence, it could deadlock with an event writer (on the key) or with
// another attempt writer recording the same delivery (on the row).
func (db *DB) lockFinishing(ctx context.Context, tx *Tx, batch []*attemptJob) error {
	if db.Dialect != Postgres || len(batch) == 0 {
		return nil
	}
	var workspaces []string
	for _, job := range batch {
		workspaces = append(workspaces, job.rec.Task.WorkspaceID)
	}
	slices.Sort(workspaces)
	for _, ws := range slices.Compact(workspaces) {
		var size int64
		var raw []byte
		if err := db.txGet(ctx, tx, []any{&size, &raw}, sqlEvidenceLock, ws, []byte{}); err != nil {
			return fmt.Errorf("lock the evidence head of %s: %w", ws, err)
		}
	}
	return db.lockOrder(ctx, tx, finishingOrderKeys(batch)...)
}

// orderedFanOut is what one fan-out learned about its ordered deliveries.
type orderedFanOut struct {
	locked map[string]bool
	// queued holds the endpoint and key pairs this fan-out has a pending
	// delivery of already.
	queued map[[2]string]bool
}

// insertOrdered inserts delivery id of event o to an endpoint with ordering
// under key: due now when no earlier delivery of the endpoint and key is
// pending, held otherwise. It returns the task to queue, nil when held.
func (db *DB) insertOrdered(ctx context.Context, tx *Tx, st *orderedFanOut, o outgoing, endpointID, key, id string, now time.Time) (*webhook.Task, error) {
	if st.locked == nil {
		st.locked, st.queued = map[string]bool{}, map[[2]string]bool{}
	}
	if !st.locked[key] {
		if err := db.lockOrder(ctx, tx, key); err != nil {
			return nil, err
		}
		st.locked[key] = true
	}
	var seq int64
	if err := tx.GetContext(ctx, &seq, db.q("SELECT seq FROM events WHERE id = ?"), o.event.ID); err != nil {
		return nil, fmt.Errorf("read event seq: %w", err)
	}
	pair := [2]string{endpointID, key}
	held := st.queued[pair]
	if !held {
		var n int
		if err := tx.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM (SELECT 1 FROM deliveries WHERE endpoint_id = ?
			AND order_key = ? AND status = ? LIMIT 1) p`), endpointID, key, string(webhook.StatusPending)); err != nil {
			return nil, fmt.Errorf("find pending ordered delivery: %w", err)
		}
		held = n > 0
	}
	st.queued[pair] = true
	var next any
	if !held {
		next = micros(now)
	}
	ws := o.event.WorkspaceID
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO deliveries (id, workspace_id, event_id, endpoint_id, event_type, status,
		attempts, next_attempt_at, created_at, updated_at, order_key, event_seq) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)`),
		id, ws, o.event.ID, endpointID, string(o.event.Type), string(webhook.StatusPending), next, micros(now), micros(now),
		key, seq); err != nil {
		return nil, fmt.Errorf("insert ordered delivery: %w", err)
	}
	if held {
		return nil, nil
	}
	return &webhook.Task{DeliveryID: id, WorkspaceID: ws, EndpointID: endpointID, EventID: o.event.ID, Attempt: 1, OrderKey: key}, nil
}

// finishingOrderKeys returns the order keys of the records in batch that end
// their delivery, whose next one they may let go.
func finishingOrderKeys(batch []*attemptJob) []string {
	var keys []string
	for _, job := range batch {
		if job.rec.Task.OrderKey != "" && job.rec.Status != webhook.StatusPending {
			keys = append(keys, job.rec.Task.OrderKey)
		}
	}
	return keys
}

// nextInOrder makes due the next delivery of t's endpoint and key once t's
// delivery has finished, and returns its task; nil when there is none or it
// is due already.
func (db *DB) nextInOrder(ctx context.Context, tx *Tx, t webhook.Task) (*webhook.Task, error) {
	var rows []deliveryRow
	if err := tx.SelectContext(ctx, &rows, db.q("SELECT "+deliveryColumns+` FROM deliveries
		WHERE endpoint_id = ? AND order_key = ? AND status = ? ORDER BY event_seq LIMIT 1`),
		t.EndpointID, t.OrderKey, string(webhook.StatusPending)); err != nil {
		return nil, fmt.Errorf("find next ordered delivery: %w", err)
	}
	if len(rows) == 0 || rows[0].NextAttemptAt.Valid {
		return nil, nil
	}
	return db.makeDue(ctx, tx, rows[0])
}

// makeDue makes held delivery r due now and returns its task (nil if it was
// not held any more).
func (db *DB) makeDue(ctx context.Context, tx *Tx, r deliveryRow) (*webhook.Task, error) {
	now := micros(db.Now())
	n, err := tx.ExecContext(ctx, db.q(`UPDATE deliveries SET next_attempt_at = ?, updated_at = ?
		WHERE id = ? AND status = ? AND next_attempt_at IS NULL`), now, now, r.ID, string(webhook.StatusPending))
	if err != nil {
		return nil, fmt.Errorf("release ordered delivery: %w", err)
	}
	if k, _ := n.RowsAffected(); k == 0 {
		return nil, nil
	}
	task := r.task()
	return &task, nil
}

// sqlEarlierPending finds a pending delivery of the same endpoint and key
// as delivery ?, made for an earlier event.
const sqlEarlierPending = `SELECT p.id FROM deliveries d JOIN deliveries p ON p.endpoint_id = d.endpoint_id
	AND p.order_key = d.order_key AND p.order_key IS NOT NULL
	WHERE d.id = ? AND p.status = ? AND p.event_seq < d.event_seq LIMIT 1`

// OrderedTurn reports whether ordered task t may be attempted now: no earlier
// delivery of its endpoint and key is pending. When one is, t's delivery is
// held (parked), and the one before it makes it due when it finishes.
func (wh *Webhooks) OrderedTurn(ctx context.Context, t webhook.Task) (bool, error) {
	db := wh.db
	var ids []string
	if err := db.x.SelectContext(ctx, &ids, db.q(sqlEarlierPending), t.DeliveryID, string(webhook.StatusPending)); err != nil {
		return false, classify(fmt.Errorf("find earlier ordered delivery: %w", err))
	}
	if len(ids) == 0 {
		return true, nil
	}
	turn := false
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := db.lockOrder(ctx, tx, t.OrderKey); err != nil {
			return err
		}
		// Under the lock, again: the earlier one may have finished meanwhile.
		if err := tx.SelectContext(ctx, &ids, db.q(sqlEarlierPending), t.DeliveryID, string(webhook.StatusPending)); err != nil {
			return fmt.Errorf("find earlier ordered delivery: %w", err)
		}
		if len(ids) == 0 {
			turn = true
			return nil
		}
		_, err := tx.ExecContext(ctx, db.q(`UPDATE deliveries SET next_attempt_at = NULL, updated_at = ?
			WHERE id = ? AND status = ? AND attempts = ?`),
			micros(db.Now()), t.DeliveryID, string(webhook.StatusPending), t.Attempt-1)
		if err != nil {
			return fmt.Errorf("hold ordered delivery: %w", err)
		}
		return nil
	})
	return turn, err
}

// ReleaseHeld makes due up to limit held deliveries that wait for nothing:
// no earlier delivery of their endpoint and key is pending (what finished
// before them did not let them go, say a worker of an older version). It
// returns their tasks; the reconciler queues them.
func (wh *Webhooks) ReleaseHeld(ctx context.Context, limit int) ([]webhook.Task, error) {
	db := wh.db
	pending := string(webhook.StatusPending)
	var rows []deliveryRow
	if err := db.x.SelectContext(ctx, &rows, db.q("SELECT "+deliveryColumns+` FROM deliveries d
		WHERE d.status = ? AND d.next_attempt_at IS NULL AND d.order_key IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.endpoint_id = d.endpoint_id AND p.order_key = d.order_key
			AND p.order_key IS NOT NULL AND p.status = ? AND p.event_seq < d.event_seq)
		LIMIT ?`), pending, pending, limit); err != nil {
		return nil, classify(fmt.Errorf("find stranded ordered deliveries: %w", err))
	}
	var tasks []webhook.Task
	for _, r := range rows {
		err := db.Tx(ctx, func(tx *Tx) error {
			if err := db.lockOrder(ctx, tx, r.OrderKey.String); err != nil {
				return err
			}
			var ids []string
			if err := tx.SelectContext(ctx, &ids, db.q(sqlEarlierPending), r.ID, pending); err != nil {
				return fmt.Errorf("find earlier ordered delivery: %w", err)
			}
			if len(ids) > 0 {
				return nil
			}
			t, err := db.makeDue(ctx, tx, r)
			if t != nil {
				tasks = append(tasks, *t)
			}
			return err
		})
		if err != nil {
			return tasks, err
		}
	}
	return tasks, nil
}
