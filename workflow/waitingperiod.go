package workflow

import (
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// EndWaitingPeriod opens the actions of a STARTED step whose waiting period has
// ended (its end is at or before now) while the process is STARTED. It emits, per
// signer of the step, action.waitingperiod.ended (WaitingPeriodEndsAt = the
// period's end) followed by action.opened. Tick calls it when the period ends.
func (p *Process) EndWaitingPeriod(stepID string, now time.Time) ([]Emitted, error) {
	st, err := p.waitingStep(stepID, "end")
	if err != nil {
		return nil, err
	}
	if now.Before(*st.WaitingPeriodEndsAt) {
		return nil, conflict("step is STARTED and waits until %s; cannot end its waiting period yet", stamp(*st.WaitingPeriodEndsAt))
	}
	return p.endWaitingPeriod(st, now), nil
}

// CancelWaitingPeriod cuts short the running waiting period of a STARTED step
// while the process is STARTED, and opens its signers' actions. It emits, per
// signer, action.waitingperiod.cancelled (WaitingPeriodEndsAt = the end the period
// would have had) followed by action.opened. A period whose end has been reached
// is ended, not cancelled: that is a conflict, and Tick ends it.
func (p *Process) CancelWaitingPeriod(stepID string, now time.Time) ([]Emitted, error) {
	st, err := p.waitingStep(stepID, "cancel")
	if err != nil {
		return nil, err
	}
	if passed(st.WaitingPeriodEndsAt, now) {
		return nil, conflict("step is STARTED and its waiting period ended at %s; cannot cancel it", stamp(*st.WaitingPeriodEndsAt))
	}
	end := *st.WaitingPeriodEndsAt
	st.WaitingPeriodEndsAt = nil
	p.UpdatedAt = now
	return st.open(p, events.ActionWaitingPeriodCancel, &end, now), nil
}

// waitingStep returns step stepID when the process is STARTED and the step is
// in its waiting period; verb names the operation in the error.
func (p *Process) waitingStep(stepID, verb string) (*Step, error) {
	st := p.findStep(stepID)
	switch {
	case st == nil:
		return nil, countersign.NotFound("step")
	case p.Status != ProcessStarted:
		return nil, conflict("process is %s; cannot %s a waiting period", p.Status, verb)
	case st.Status != StepStarted:
		return nil, conflict("step is %s; cannot %s its waiting period", st.Status, verb)
	case st.WaitingPeriodEndsAt == nil:
		return nil, conflict("step is STARTED with no waiting period running; cannot %s it", verb)
	}
	return st, nil
}

// endWaitingPeriod applies EndWaitingPeriod without its checks.
func (p *Process) endWaitingPeriod(st *Step, now time.Time) []Emitted {
	end := *st.WaitingPeriodEndsAt
	st.WaitingPeriodEndsAt = nil
	p.UpdatedAt = now
	return st.open(p, events.ActionWaitingPeriodEnded, &end, now)
}
