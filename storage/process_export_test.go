package storage

import (
	"context"

	"github.com/countersign/countersign/workflow"
)

// InsertProcess saves p as a new process, for tests that build one by hand.
func (db *DB) InsertProcess(ctx context.Context, p *workflow.Process) error {
	return db.Tx(ctx, func(tx *Tx) error { return db.insertProcess(ctx, tx, p) })
}

// InsertRegistration saves r as a new registration, for tests that build one by hand.
func (db *DB) InsertRegistration(ctx context.Context, r *workflow.Registration) error {
	body, err := encodeRegistration(r)
	if err != nil {
		return err
	}
	_, err = db.x.ExecContext(ctx, db.q(`INSERT INTO registrations (id, workspace_id, status, created_at, updated_at,
		next_due_at, version, body) VALUES (?, ?, ?, ?, ?, ?, 1, ?)`), r.ID, r.WorkspaceID, string(r.Status),
		micros(r.CreatedAt), micros(r.UpdatedAt), registrationDue(r), body)
	return err
}
