package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// CreateProcess validates in, creates a PENDING process in the actor's
// workspace and records transaction.lifecycle.created, in one transaction.
func (ps *Processes) CreateProcess(ctx context.Context, actor countersign.Actor, in workflow.ProcessInput) (*workflow.Process, error) {
	now := ps.db.Now()
	p, emitted, err := workflow.NewProcess(in, actor, now)
	if err != nil {
		return nil, err
	}
	err = ps.db.Tx(ctx, func(tx *Tx) error {
		if err := ps.db.insertProcess(ctx, tx, p); err != nil {
			return err
		}
		return ps.db.writeEmitted(ctx, tx, actor, p.ID, p.Payload(), emitted)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// GetProcess returns one process of a workspace.
func (ps *Processes) GetProcess(ctx context.Context, workspaceID, id string) (*workflow.Process, error) {
	p, _, err := ps.db.readProcess(ctx, ps.db.x, workspaceID, id, false)
	return p, err
}

// ChangeProcess applies cmd to process id of the actor's workspace: it loads
// the process, applies the deadlines reached (Tick), runs cmd, and saves the
// new state with the events of both in one transaction; the events of cmd
// carry the process as the API answers it. When cmd fails nothing it did is
// written; deadlines Tick applied are still saved (as the scheduler would have)
// and the command's error is returned.
func (ps *Processes) ChangeProcess(ctx context.Context, actor countersign.Actor, id string, cmd workflow.Command) (*workflow.Process, error) {
	return ps.db.changeProcess(ctx, actor, id, processChange{cmd: cmd})
}

// DeleteProcess deletes a process that may be deleted (not STARTED, after its
// deadlines are applied), with its signers and messages. No event type exists
// for a deletion.
func (ps *Processes) DeleteProcess(ctx context.Context, actor countersign.Actor, id string) error {
	_, err := ps.db.changeProcess(ctx, actor, id, processChange{
		cmd:    func(p *workflow.Process, _ time.Time) ([]workflow.Emitted, error) { return nil, p.CanDelete() },
		remove: true,
	})
	return err
}

// processChange is one command on a process and what goes with it.
type processChange struct {
	cmd workflow.Command
	// respond returns the API answer of the change (the response body stored
	// with its events); nil means the process itself.
	respond func(p *workflow.Process, emitted []workflow.Emitted) any
	// also writes what the change keeps beside the process (a chat message, a
	// flag) inside the transaction, once the process is saved.
	also func(ctx context.Context, tx *Tx, p *workflow.Process, emitted []workflow.Emitted) error
	// remove deletes the process instead of saving it when cmd succeeds.
	remove bool
}

// changeProcess runs ch as ChangeProcess describes.
func (db *DB) changeProcess(ctx context.Context, actor countersign.Actor, id string, ch processChange) (*workflow.Process, error) {
	var out changed[*workflow.Process]
	err := retryStale(func() error {
		return db.Tx(ctx, func(tx *Tx) error {
			now := db.Now()
			l, err := db.lockProcess(ctx, tx, actor.WorkspaceID, id)
			if err != nil {
				return err
			}
			if ch.remove {
				l.remove = db.removeProcess
			}
			out, err = change(ctx, db, tx, l, func(p *workflow.Process) (*workflow.Process, []workflow.Emitted, error) {
				return workflow.Apply(p, now, ch.cmd)
			})
			if err != nil || out.cmdErr != nil || ch.remove {
				return err
			}
			p := out.next
			if ch.also != nil {
				if err := ch.also(ctx, tx, p, out.emitted); err != nil {
					return err
				}
			}
			var answer any = p.Payload()
			if ch.respond != nil {
				answer = ch.respond(p, out.emitted)
			}
			return db.writeEmitted(ctx, tx, actor, p.ID, answer, out.emitted)
		})
	})
	if err != nil {
		return nil, err
	}
	if out.cmdErr != nil {
		return nil, out.cmdErr
	}
	return out.next, nil
}

// lockProcess reads process id under its row lock for change.
func (db *DB) lockProcess(ctx context.Context, tx *Tx, workspaceID, id string) (locked[*workflow.Process], error) {
	p, version, err := db.readProcess(ctx, tx, workspaceID, id, true)
	if err != nil {
		return locked[*workflow.Process]{}, err
	}
	// The process's delivery-order lock (PostgreSQL) comes before any row of
	// the evidence log that the change appends to, as in the attempt writer,
	// so the two never wait on each other in opposite orders.
	if err := db.lockOrder(ctx, tx, id); err != nil {
		return locked[*workflow.Process]{}, err
	}
	before := signerKey(p)
	prior := p.Clone() // Apply changes p in place; notices compare with the state before
	return locked[*workflow.Process]{doc: p, workspaceID: workspaceID, id: id,
		save: func(ctx context.Context, tx *Tx, next *workflow.Process) error {
			return db.saveProcess(ctx, tx, next, version, before)
		},
		notify: func(ctx context.Context, tx *Tx, next *workflow.Process, emitted []workflow.Emitted) error {
			if err := db.Messages().auditAutoReminders(ctx, tx, next, emitted); err != nil {
				return err
			}
			return db.Messages().write(ctx, tx, prior, next, emitted)
		}}, nil
}

// readProcess loads a process and its version; lock takes the row lock on
// PostgreSQL (SQLite transactions hold the database's write lock already).
func (db *DB) readProcess(ctx context.Context, q sqlx.QueryerContext, workspaceID, id string, lock bool) (*workflow.Process, int64, error) {
	body, version, err := db.readDocument(ctx, q, "processes", "process", workspaceID, id, lock)
	if err != nil {
		return nil, 0, err
	}
	p, err := decodeProcess(body)
	if err != nil {
		return nil, 0, err
	}
	return p, version, nil
}

// readDocument loads the JSON body and version of a versioned document row
// (a process or a registration), locking the row on PostgreSQL when lock is
// set; SQLite transactions hold the database's write lock already.
func (db *DB) readDocument(ctx context.Context, q sqlx.QueryerContext, table, resource, workspaceID, id string, lock bool) (string, int64, error) {
	query := "SELECT version, body FROM " + table + " WHERE workspace_id = ? AND id = ?"
	if lock && db.Dialect == Postgres {
		query += " FOR UPDATE"
	}
	var row struct {
		Version int64  `db:"version"`
		Body    string `db:"body"`
	}
	err := sqlx.GetContext(ctx, q, &row, db.q(query), workspaceID, id)
	if isNoRows(err) {
		return "", 0, countersign.NotFound(resource)
	}
	if err != nil {
		return "", 0, classify(fmt.Errorf("get %s: %w", resource, err))
	}
	return row.Body, row.Version, nil
}

// ProcessOfSigner returns the id of the process that has step signer signerID.
func (ps *Processes) ProcessOfSigner(ctx context.Context, workspaceID, signerID string) (string, error) {
	return ps.db.processOf(ctx, "signer_id", "signer", workspaceID, signerID)
}

// ProcessOfStep returns the id of the process that has step stepID.
func (ps *Processes) ProcessOfStep(ctx context.Context, workspaceID, stepID string) (string, error) {
	return ps.db.processOf(ctx, "step_id", "step", workspaceID, stepID)
}

// processOf looks a process up by one of its signers' columns.
func (db *DB) processOf(ctx context.Context, column, resource, workspaceID, id string) (string, error) {
	var ids []string
	err := db.x.SelectContext(ctx, &ids, db.q("SELECT process_id FROM process_signers WHERE workspace_id = ? AND "+
		column+" = ? LIMIT 1"), workspaceID, id)
	if err != nil {
		return "", classify(fmt.Errorf("find the process of %s %s: %w", resource, id, err))
	}
	if len(ids) == 0 {
		return "", countersign.NotFound(resource)
	}
	return ids[0], nil
}

// CancelProcessWithMessageControl cancels a process like ChangeProcess with
// Process.Cancel, and records disableMessages: that no notification messages
// should go out about the cancellation (the events are written all the same:
// they are the integration contract, not messages to people).
func (ps *Processes) CancelProcessWithMessageControl(ctx context.Context, actor countersign.Actor, id string, disableMessages bool) (*workflow.Process, error) {
	return ps.db.changeProcess(ctx, actor, id, processChange{
		cmd: func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) {
			emitted, err := p.Cancel(now)
			// Recorded in the process itself, so the cancellation's own
			// notices, decided in the same change, see it.
			p.MessagesDisabled = p.MessagesDisabled || (err == nil && disableMessages)
			return emitted, err
		},
		also: func(ctx context.Context, tx *Tx, p *workflow.Process, _ []workflow.Emitted) error {
			flag := 0
			if disableMessages {
				flag = 1
			}
			if _, err := tx.ExecContext(ctx, ps.db.q("UPDATE processes SET messages_disabled = ? WHERE workspace_id = ? AND id = ?"),
				flag, p.WorkspaceID, p.ID); err != nil {
				return fmt.Errorf("record disableMessages: %w", err)
			}
			return nil
		},
	})
}

// MessagesDisabled reports whether a process was canceled with messages disabled.
func (ps *Processes) MessagesDisabled(ctx context.Context, workspaceID, id string) (bool, error) {
	var flag int
	err := ps.db.x.GetContext(ctx, &flag, ps.db.q("SELECT messages_disabled FROM processes WHERE workspace_id = ? AND id = ?"), workspaceID, id)
	if isNoRows(err) {
		return false, countersign.NotFound("process")
	}
	if err != nil {
		return false, classify(fmt.Errorf("read messages_disabled: %w", err))
	}
	return flag == 1, nil
}
