// Package workflow is the signing-process state machine of Countersign: signing
// processes with ordered steps of signers, and the signer-registration lifecycle.
//
// It is pure: no HTTP, no SQL and no clock reads. Time always comes in as a
// parameter. Every transition validates, then mutates the value, and returns the
// events it caused as []Emitted; the caller saves the new state and those events in
// one SQL transaction. A transition that fails leaves the value exactly as it was.
//
// Errors are *countersign.Error values: ECONFLICT for an operation the current
// state does not allow (the message names the state), EVALIDATION or EINVALID for
// bad input (Field names the JSON field, camelCase, nested like
// signingProcessSteps[1].processStepSigners[0].signerRole), ENOTFOUND for a step or
// signer that is not part of the process.
//
// Stores run commands through Apply, which calls Tick(now) first, so deadlines
// the scheduler has not applied yet (expiry, step due dates, waiting periods)
// are applied first; commands refuse to act past a deadline rather than apply it.
package workflow

import (
	"fmt"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// Emitted is one event a transition caused. Data is the payload struct of Type
// (events.TransactionData, events.ActionData, events.ChatMessageData,
// events.IdentityValidationData or events.RegistrationData), ready for events.New.
type Emitted struct {
	Type events.Type
	Data any
	// Deadline marks an event a deadline caused (set by Apply): time passing,
	// not the command's actor, made it, so the system is its actor.
	Deadline bool
}

// Reasons carried by events.TransactionData.Reason when a process ends without
// completing. A declined process carries the signer's stall reason instead.
const (
	// ReasonCanceled: the process was canceled through the API.
	ReasonCanceled = "canceled"
	// ReasonExpiresAtPassed: the process's expiresAt passed before it completed.
	ReasonExpiresAtPassed = "expires_at_passed"
	// ReasonDueDatePassed: a started step's dueDate passed before its signers acted.
	ReasonDueDatePassed = string(events.StallDueDatePassed)
)

// conflict returns the error of an operation the current state does not allow.
func conflict(format string, args ...any) error {
	return &countersign.Error{Code: countersign.ECONFLICT, Message: fmt.Sprintf(format, args...)}
}

// refield returns err with its field replaced by field, when err is a
// countersign.Error; it lets a shared check report the caller's JSON field name.
func refield(err error, field string) error {
	if e := countersign.AsError(err); e != nil {
		c := *e
		c.Field = field
		return &c
	}
	return err
}

// ptr returns a pointer to a copy of t, so no two values share a time.
func ptr(t time.Time) *time.Time { return &t }

// clonePtr returns a pointer to a copy of *t, or nil.
func clonePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return ptr(*t)
}

// passed reports whether deadline is set and now is at or after it.
func passed(deadline *time.Time, now time.Time) bool {
	return deadline != nil && !now.Before(*deadline)
}

// stamp formats t for error messages.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
