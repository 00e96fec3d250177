package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// dueRow names a process or registration whose next deadline has come.
type dueRow struct {
	WorkspaceID string `db:"workspace_id"`
	ID          string `db:"id"`
}

// ApplyDue applies the deadlines reached at now: processes whose next_due_at
// is at or before now get Tick (waiting periods end, step due dates and expiry
// expire them), registrations past their seven days expire. Each is applied in
// its own transaction, with its events caused by no API key (the system). It
// handles at most limit processes and limit registrations and returns how many
// it changed. Since due times live in the database, a scheduler that calls it
// every second survives restarts; several schedulers may run at once (the row
// is re-read under its lock, so a deadline applies once).
func (ps *Processes) ApplyDue(ctx context.Context, now time.Time, limit int) (int, error) {
	if limit <= 0 {
		limit = 100
	}
	applied := 0
	for _, kind := range []struct {
		table string
		apply func(ctx context.Context, row dueRow, now time.Time) (bool, error)
	}{
		{"processes", ps.db.tickProcess},
		{"registrations", ps.db.tickRegistration},
	} {
		var rows []dueRow
		if err := ps.db.x.SelectContext(ctx, &rows, ps.db.q("SELECT workspace_id, id FROM "+kind.table+
			" WHERE next_due_at IS NOT NULL AND next_due_at <= ? ORDER BY next_due_at LIMIT ?"), micros(now), limit); err != nil {
			return applied, classify(fmt.Errorf("find due %s: %w", kind.table, err))
		}
		for _, row := range rows {
			ok, err := kind.apply(ctx, row, now)
			if err != nil {
				return applied, fmt.Errorf("apply the deadlines of %s %s: %w", kind.table, row.ID, err)
			}
			if ok {
				applied++
			}
		}
	}
	return applied, nil
}

// tickProcess applies Tick to one process in its own transaction; false when
// nothing was due any more (another scheduler got there first, or it is gone).
func (db *DB) tickProcess(ctx context.Context, row dueRow, now time.Time) (bool, error) {
	return applyDue(ctx, db, func(tx *Tx) (locked[*workflow.Process], error) {
		return db.lockProcess(ctx, tx, row.WorkspaceID, row.ID)
	}, func(p *workflow.Process) (*workflow.Process, []workflow.Emitted, error) {
		return workflow.Apply(p, now, nil)
	})
}

// tickRegistration expires one registration in its own transaction.
func (db *DB) tickRegistration(ctx context.Context, row dueRow, now time.Time) (bool, error) {
	return applyDue(ctx, db, func(tx *Tx) (locked[*workflow.Registration], error) {
		return db.lockRegistration(ctx, tx, row.WorkspaceID, row.ID)
	}, func(r *workflow.Registration) (*workflow.Registration, []workflow.Emitted, error) {
		return workflow.ApplyRegistration(r, now, nil)
	})
}

// applyDue applies the deadlines of one document in its own transaction and
// reports whether any was still due.
func applyDue[T comparable](ctx context.Context, db *DB, lock func(tx *Tx) (locked[T], error), apply func(T) (T, []workflow.Emitted, error)) (bool, error) {
	var out changed[T]
	err := retryStale(func() error {
		return db.Tx(ctx, func(tx *Tx) error {
			l, err := lock(tx)
			if err != nil {
				return err
			}
			out, err = change(ctx, db, tx, l, apply)
			return err
		})
	})
	if countersign.ErrorCode(err) == countersign.ENOTFOUND {
		return false, nil
	}
	var zero T
	return err == nil && out.next != zero, err
}
