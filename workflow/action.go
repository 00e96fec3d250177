package workflow

import (
	"strings"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// Sign records that a SIGNER signed. The signer must be WAITING_FOR_ACTION in a
// STARTED step, out of its waiting period, of a STARTED process, with neither
// the step's dueDate nor the process's expiresAt passed; otherwise ECONFLICT. A
// signer of another role is ECONFLICT too (the request is well formed; the
// signer is not one who signs: APPROVERs approve, VIEWERs view). An unknown
// signer is ENOTFOUND.
//
// It emits action.closed (Action SIGNED), then what the signature caused: when
// every SIGNER and APPROVER of the step has acted, the step COMPLETES (VIEWERs
// do not block it; those who had not viewed are CANCELED); when every step of
// that processOrder has completed, the next order starts (action.opened per
// signer, as in Start), or, after the last order, the process COMPLETES with
// completedAt = now (transaction.lifecycle.completed).
func (p *Process) Sign(signerID string, now time.Time) ([]Emitted, error) {
	return p.act(signerID, RoleSigner, now)
}

// Approve records that an APPROVER approved: Sign's rules and events, for the
// APPROVER role, with Action APPROVED.
func (p *Process) Approve(signerID string, now time.Time) ([]Emitted, error) {
	return p.act(signerID, RoleApprover, now)
}

// View records that a VIEWER viewed the document: Sign's rules and events, for
// the VIEWER role, with Action VIEWED. A view never completes a step by itself.
func (p *Process) View(signerID string, now time.Time) ([]Emitted, error) {
	return p.act(signerID, RoleViewer, now)
}

// act closes the action of signer signerID, who must have role, as Sign describes.
func (p *Process) act(signerID string, role SignerRole, now time.Time) ([]Emitted, error) {
	status, verb := action(role)
	if _, sg := p.findSigner(signerID); sg != nil && sg.Role != role {
		return nil, conflict("signer is %s; cannot %s", sg.Role, verb)
	}
	st, sg, err := p.openAction(signerID, verb, now)
	if err != nil {
		return nil, err
	}
	sg.Status = status
	sg.ActedAt = ptr(now)
	p.UpdatedAt = now
	closed := p.action(st, sg)
	closed.Action = string(status)
	return append([]Emitted{{Type: events.ActionClosed, Data: closed}}, p.advance(now)...), nil
}

// Decline records that a SIGNER or APPROVER refused to act, for reason, which
// must be one of ClientStallReasons: any stall reason but due_date_passed,
// which only the scheduler gives. The signer must be able to
// act, as for Sign. A VIEWER cannot decline (ECONFLICT): VIEWERs do not block a
// step, so they cannot stop a process either.
//
// The signer becomes DECLINED, the process DECLINED, unfinished steps CANCELED
// and every other signer who had not acted CANCELED. It emits action.stalled
// (StallReason = reason), then transaction.lifecycle.declined (Reason = reason).
func (p *Process) Decline(signerID string, reason events.StallReason, now time.Time) ([]Emitted, error) {
	switch {
	case reason == "":
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "stallReason", "is required")
	case !reason.Valid():
		return nil, countersign.FieldErrorf(countersign.EINVALID, "stallReason", "%q is not a stall reason; want one of %s",
			reason, joinReasons(ClientStallReasons()))
	case reason == events.StallDueDatePassed:
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "stallReason", "%s is given by the scheduler only; want one of %s",
			reason, joinReasons(ClientStallReasons()))
	}
	if _, sg := p.findSigner(signerID); sg != nil && !sg.Role.MustAct() {
		return nil, conflict("signer is %s; cannot decline", sg.Role)
	}
	st, sg, err := p.openAction(signerID, "decline", now)
	if err != nil {
		return nil, err
	}
	sg.Status = SigningDeclined
	sg.ActedAt = ptr(now)
	stalled := p.action(st, sg)
	stalled.StallReason = reason
	p.end(ProcessDeclined, SigningCanceled, now)
	return []Emitted{
		{Type: events.ActionStalled, Data: stalled},
		p.transaction(events.TransactionDeclined, string(reason)),
	}, nil
}

// ClientStallReasons lists the stall reasons a decline may give: every one
// but due_date_passed, which the scheduler gives when a step's due date passes.
func ClientStallReasons() []events.StallReason {
	out := make([]events.StallReason, 0, len(events.StallReasons))
	for _, r := range events.StallReasons {
		if r != events.StallDueDatePassed {
			out = append(out, r)
		}
	}
	return out
}

// joinReasons lists reasons for a message.
func joinReasons(reasons []events.StallReason) string {
	s := make([]string, len(reasons))
	for i, r := range reasons {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// openAction returns the signer signerID and its step when the signer can act
// at now (see canAct); verb names the operation in the error.
func (p *Process) openAction(signerID, verb string, now time.Time) (*Step, *Signer, error) {
	st, sg := p.findSigner(signerID)
	if sg == nil {
		return nil, nil, countersign.NotFound("signer")
	}
	if err := p.canAct(st, sg, verb, now); err != nil {
		return nil, nil, err
	}
	return st, sg, nil
}

// canAct returns nil when signer sg of step st has an open action at now: the
// process STARTED and not past expiresAt, the step STARTED, not past its dueDate
// and out of its waiting period, the signer WAITING_FOR_ACTION. Otherwise it
// returns the ECONFLICT naming what is in the way; verb names the operation.
func (p *Process) canAct(st *Step, sg *Signer, verb string, now time.Time) error {
	switch {
	case p.Status != ProcessStarted:
		return conflict("process is %s; cannot %s", p.Status, verb)
	case passed(p.ExpiresAt, now):
		return conflict("process is STARTED but expired at %s; cannot %s", stamp(*p.ExpiresAt), verb)
	case st.Status != StepStarted:
		return conflict("step is %s; cannot %s", st.Status, verb)
	case passed(st.DueDate, now):
		return conflict("step is STARTED but was due at %s; cannot %s", stamp(*st.DueDate), verb)
	case st.Waiting():
		return conflict("step is STARTED but its waiting period runs until %s; cannot %s", stamp(*st.WaitingPeriodEndsAt), verb)
	case sg.Status != SigningWaitingForAction:
		return conflict("signer is %s; cannot %s", sg.Status, verb)
	}
	return nil
}
