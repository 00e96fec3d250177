package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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

// locked is a versioned document (a process or a registration) read under its
// row lock inside a transaction, with how to write a new state over it.
type locked[T comparable] struct {
	doc         T
	workspaceID string
	id          string
	// save writes a new state over the row as it was read (errStale if it
	// moved on since).
	save func(ctx context.Context, tx *Tx, next T) error
	// remove, when set, deletes the document instead of saving it once the
	// command succeeded.
	remove func(ctx context.Context, tx *Tx, doc T) error
	// notify, when set, writes the notification emails the change's events
	// call for, in the same transaction.
	notify func(ctx context.Context, tx *Tx, next T, emitted []workflow.Emitted) error
}

// changed is what change did.
type changed[T comparable] struct {
	// next is the state saved; the zero T when nothing was.
	next T
	// emitted are the command's events, not yet written: the caller writes
	// them beside its answer once what it keeps with the document is written.
	emitted []workflow.Emitted
	// cmdErr is the command's error. The deadlines applied before it are
	// saved all the same: the transaction must commit, then report cmdErr.
	cmdErr error
}

// change runs one workflow transition of a locked document inside tx: apply
// (workflow.Apply or workflow.ApplyRegistration with the command) decides the
// next state and the events, and change saves that state (or removes the
// document) and writes the events deadlines caused, with the system as their
// actor and no answer. This is the only place storage applies a transition.
func change[T comparable](ctx context.Context, db *DB, tx *Tx, l locked[T], apply func(T) (T, []workflow.Emitted, error)) (changed[T], error) {
	next, emitted, cmdErr := apply(l.doc)
	var zero T
	if next == zero {
		return changed[T]{cmdErr: cmdErr}, nil
	}
	deadlines, commanded := workflow.Split(emitted)
	if err := db.writeEmitted(ctx, tx, system(l.workspaceID), l.id, nil, deadlines); err != nil {
		return changed[T]{}, err
	}
	var err error
	if cmdErr == nil && l.remove != nil {
		err = l.remove(ctx, tx, next)
	} else {
		err = l.save(ctx, tx, next)
	}
	if err != nil {
		return changed[T]{}, err
	}
	if l.notify != nil && (cmdErr != nil || l.remove == nil) {
		if err := l.notify(ctx, tx, next, emitted); err != nil {
			return changed[T]{}, err
		}
	}
	return changed[T]{next: next, emitted: commanded, cmdErr: cmdErr}, nil
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
