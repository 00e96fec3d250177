package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// errStale is a save that lost the race for a process or registration: its
// version changed since it was read. The whole transaction is retried.
var errStale = errors.New("stale version")

// maxStaleRetries bounds the retries of a transaction that keeps losing races.
const maxStaleRetries = 5

// retryStale runs fn again while it fails with errStale, a few times.
func retryStale(fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if !errors.Is(err, errStale) {
			return err
		}
		if attempt == maxStaleRetries {
			return countersign.Errorf(countersign.ECONFLICT, "the resource kept changing concurrently; try again")
		}
	}
}

// system is the actor of what time causes (deadlines): the workspace, no key.
func system(workspaceID string) countersign.Actor {
	return countersign.Actor{WorkspaceID: workspaceID}
}

// CreateProcess validates in, creates a PENDING process in the actor's
// workspace and records transaction.lifecycle.created, in one transaction.
func (db *DB) CreateProcess(ctx context.Context, actor countersign.Actor, in workflow.ProcessInput) (*workflow.Process, error) {
	now := db.Now()
	p, emitted, err := workflow.NewProcess(in, actor, now)
	if err != nil {
		return nil, err
	}
	err = db.Tx(ctx, func(tx *Tx) error {
		if err := db.insertProcess(ctx, tx, p); err != nil {
			return err
		}
		return db.writeEmitted(ctx, tx, actor, p.ID, p.Payload(), emitted)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// GetProcess returns one process of a workspace.
func (db *DB) GetProcess(ctx context.Context, workspaceID, id string) (*workflow.Process, error) {
	p, _, err := db.readProcess(ctx, db, workspaceID, id, false)
	return p, err
}

// ChangeProcess applies cmd to process id of the actor's workspace: it loads
// the process, applies the deadlines reached (Tick), runs cmd, and saves the
// new state with the events of both in one transaction; the events of cmd
// carry the process as the API answers it. When cmd fails nothing it did is
// written; deadlines Tick applied are still saved (as the scheduler would have)
// and the command's error is returned.
func (db *DB) ChangeProcess(ctx context.Context, actor countersign.Actor, id string, cmd workflow.Command) (*workflow.Process, error) {
	return db.changeProcess(ctx, actor, id, processChange{cmd: cmd})
}

// DeleteProcess deletes a process that may be deleted (not STARTED, after its
// deadlines are applied), with its signers and messages. No event type exists
// for a deletion.
func (db *DB) DeleteProcess(ctx context.Context, actor countersign.Actor, id string) error {
	_, err := db.changeProcess(ctx, actor, id, processChange{
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
	var out *workflow.Process
	var cmdErr error
	err := retryStale(func() error {
		cmdErr = nil
		return db.Tx(ctx, func(tx *Tx) error {
			now := db.Now()
			p, version, err := db.readProcess(ctx, tx, actor.WorkspaceID, id, true)
			if err != nil {
				return err
			}
			before := signerKey(p)
			ticked := p.Tick(now)
			work := p
			if len(ticked) > 0 {
				work = p.Clone() // p keeps the ticked state should cmd fail
			}
			emitted, err := ch.cmd(work, now)
			if err != nil {
				if len(ticked) == 0 {
					return err
				}
				cmdErr = err
				if err := db.saveProcess(ctx, tx, p, version, before); err != nil {
					return err
				}
				return db.writeEmitted(ctx, tx, system(p.WorkspaceID), p.ID, nil, ticked)
			}
			if err := db.writeEmitted(ctx, tx, system(work.WorkspaceID), work.ID, nil, ticked); err != nil {
				return err
			}
			if ch.remove {
				return db.removeProcess(ctx, tx, work)
			}
			if err := db.saveProcess(ctx, tx, work, version, before); err != nil {
				return err
			}
			if ch.also != nil {
				if err := ch.also(ctx, tx, work, emitted); err != nil {
					return err
				}
			}
			var answer any = work.Payload()
			if ch.respond != nil {
				answer = ch.respond(work, emitted)
			}
			out = work
			return db.writeEmitted(ctx, tx, actor, work.ID, answer, emitted)
		})
	})
	if err != nil {
		return nil, err
	}
	if cmdErr != nil {
		return nil, cmdErr
	}
	return out, nil
}

// writeEmitted records the events a transition emitted, caused by actor, about
// resource resourceID, beside the API answer (nil when no request caused them).
func (db *DB) writeEmitted(ctx context.Context, tx *Tx, actor countersign.Actor, resourceID string, answer any, emitted []workflow.Emitted) error {
	if len(emitted) == 0 {
		return nil
	}
	var response []byte
	if answer != nil {
		var err error
		if response, err = json.Marshal(answer); err != nil {
			return fmt.Errorf("encode response body: %w", err)
		}
	}
	evs := make([]outgoing, len(emitted))
	for i, e := range emitted {
		ev, err := db.newEvent(actor, e.Type, resourceID, e.Data)
		if err != nil {
			return err
		}
		evs[i] = ev
	}
	return db.insertEvents(ctx, tx, response, evs...)
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
func (db *DB) ProcessOfSigner(ctx context.Context, workspaceID, signerID string) (string, error) {
	return db.processOf(ctx, "signer_id", "signer", workspaceID, signerID)
}

// ProcessOfStep returns the id of the process that has step stepID.
func (db *DB) ProcessOfStep(ctx context.Context, workspaceID, stepID string) (string, error) {
	return db.processOf(ctx, "step_id", "step", workspaceID, stepID)
}

// processOf looks a process up by one of its signers' columns.
func (db *DB) processOf(ctx context.Context, column, resource, workspaceID, id string) (string, error) {
	var ids []string
	err := db.SelectContext(ctx, &ids, db.q("SELECT process_id FROM process_signers WHERE workspace_id = ? AND "+
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
func (db *DB) CancelProcessWithMessageControl(ctx context.Context, actor countersign.Actor, id string, disableMessages bool) (*workflow.Process, error) {
	return db.changeProcess(ctx, actor, id, processChange{
		cmd: func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Cancel(now) },
		also: func(ctx context.Context, tx *Tx, p *workflow.Process, _ []workflow.Emitted) error {
			flag := 0
			if disableMessages {
				flag = 1
			}
			if _, err := tx.ExecContext(ctx, db.q("UPDATE processes SET messages_disabled = ? WHERE workspace_id = ? AND id = ?"),
				flag, p.WorkspaceID, p.ID); err != nil {
				return fmt.Errorf("record disableMessages: %w", err)
			}
			return nil
		},
	})
}

// MessagesDisabled reports whether a process was canceled with messages disabled.
func (db *DB) MessagesDisabled(ctx context.Context, workspaceID, id string) (bool, error) {
	var flag int
	err := db.GetContext(ctx, &flag, db.q("SELECT messages_disabled FROM processes WHERE workspace_id = ? AND id = ?"), workspaceID, id)
	if isNoRows(err) {
		return false, countersign.NotFound("process")
	}
	if err != nil {
		return false, classify(fmt.Errorf("read messages_disabled: %w", err))
	}
	return flag == 1, nil
}
