package workflow

import (
	"time"

	"github.com/countersign/countersign"
)

// Update replaces the editable fields of a PENDING or PAUSED process with those
// of in (updateProcess): a field left empty is cleared, as in a PUT, and so is
// expiresAt when omitted. Steps are replaced only when in has some, and only
// while the process is PENDING; steps and signers whose id matches one of the
// process keep it, the others get new UUIDs (an id that matches none is
// EVALIDATION). A PAUSED process with steps in the request is a conflict.
//
// No event type exists for an update, so it returns no events; the result keeps
// the shape of every transition so that one can be added.
func (p *Process) Update(in ProcessInput, now time.Time) ([]Emitted, error) {
	if p.Status != ProcessPending && p.Status != ProcessPaused {
		return nil, conflict("process is %s; cannot update", p.Status)
	}
	if len(in.SigningProcessSteps) > 0 && p.Status != ProcessPending {
		return nil, conflict("process is %s; its steps can be replaced only while PENDING", p.Status)
	}
	if err := in.validateFields(now); err != nil {
		return nil, err
	}
	var steps []Step
	if len(in.SigningProcessSteps) > 0 {
		var err error
		if steps, err = buildSteps(in.SigningProcessSteps, "signingProcessSteps", newIDPool(p.Steps), now); err != nil {
			return nil, err
		}
	}
	p.setFields(in)
	if steps != nil {
		p.Steps = steps
	}
	p.UpdatedAt = now
	return nil, nil
}

// UpdateStep replaces step stepID's processOrder, dueDate, waiting period and
// signers with those of in (updateProcessStep; the id in the body is ignored).
// The process must be PENDING or PAUSED and the step neither COMPLETED nor
// CANCELED. A step not started yet is validated like a step of NewProcess; in a
// PAUSED process its new processOrder must come after every order already
// started. A STARTED step (of a PAUSED process) only takes a new dueDate: its
// processOrder and waiting period must be sent unchanged and its signers left
// out, or it is a conflict. It returns no events, like Update.
func (p *Process) UpdateStep(stepID string, in StepInput, now time.Time) ([]Emitted, error) {
	st := p.findStep(stepID)
	switch {
	case st == nil:
		return nil, countersign.NotFound("step")
	case p.Status != ProcessPending && p.Status != ProcessPaused:
		return nil, conflict("process is %s; cannot update a step", p.Status)
	case st.Status == StepCompleted || st.Status == StepCanceled:
		return nil, conflict("step is %s; cannot update it", st.Status)
	case st.Status == StepStarted:
		return nil, p.updateStartedStep(st, in, now)
	}
	if p.Status == ProcessPaused {
		if last := p.lastStartedOrder(); in.ProcessOrder <= last {
			return nil, countersign.FieldErrorf(countersign.EVALIDATION, "processOrder", "must be greater than %d, the order already started", last)
		}
	}
	in.ID = st.ID
	next, err := buildStep(in, "", newIDPool([]Step{*st}), now)
	if err != nil {
		return nil, err
	}
	*st = next
	sortSteps(p.Steps)
	p.UpdatedAt = now
	return nil, nil
}

// updateStartedStep applies UpdateStep to a STARTED step: only its dueDate changes.
func (p *Process) updateStartedStep(st *Step, in StepInput, now time.Time) error {
	switch {
	case in.ProcessOrder != st.ProcessOrder:
		return conflict("step is STARTED; its processOrder cannot change")
	case len(in.ProcessStepSigners) > 0:
		return conflict("step is STARTED; its signers cannot be replaced")
	case !sameTime(in.WaitingPeriodEndsAt, st.WaitingPeriodEndsAt):
		return conflict("step is STARTED; its waiting period cannot change")
	}
	if err := checkFuture("dueDate", in.DueDate, now); err != nil {
		return err
	}
	if wp := st.WaitingPeriodEndsAt; wp != nil && in.DueDate != nil && !in.DueDate.After(*wp) {
		return countersign.FieldErrorf(countersign.EVALIDATION, "dueDate", "must be after waitingPeriodEndsAt")
	}
	st.DueDate = clonePtr(in.DueDate)
	p.UpdatedAt = now
	return nil
}

// lastStartedOrder returns the highest processOrder of a step that has started, or -1.
func (p *Process) lastStartedOrder() int {
	last := -1
	for i := range p.Steps {
		if p.Steps[i].Status != StepWaitingForPrevious && p.Steps[i].ProcessOrder > last {
			last = p.Steps[i].ProcessOrder
		}
	}
	return last
}

// CanDelete reports, as an ECONFLICT error, why p cannot be deleted: a STARTED
// process must be paused or canceled first. Any other status may be deleted.
func (p *Process) CanDelete() error {
	if p.Status == ProcessStarted {
		return conflict("process is STARTED; cannot delete (pause or cancel it first)")
	}
	return nil
}

// sameTime reports whether a and b are both unset or the same instant.
func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// idPool decides the ids of the steps and signers of an update: an id the
// process already has is kept, once; an empty id gets a new UUID.
type idPool struct {
	steps, signers, used map[string]bool
}

// newIDPool returns the pool of the ids of steps and of their signers.
func newIDPool(steps []Step) *idPool {
	ip := &idPool{steps: map[string]bool{}, signers: map[string]bool{}, used: map[string]bool{}}
	for i := range steps {
		ip.steps[steps[i].ID] = true
		for j := range steps[i].Signers {
			ip.signers[steps[i].Signers[j].ID] = true
		}
	}
	return ip
}

// take returns the id for a step (or a signer) that asked for id; field is the
// JSON path of the id. A nil pool gives every one a new UUID.
func (ip *idPool) take(signer bool, id, field string) (string, error) {
	if ip == nil || id == "" {
		return countersign.NewUUID(), nil
	}
	known, kind := ip.steps, "step"
	if signer {
		known, kind = ip.signers, "signer"
	}
	if !known[id] {
		return "", countersign.FieldErrorf(countersign.EVALIDATION, field, "no %s %q to keep; leave the id out to add a new one", kind, id)
	}
	if ip.used[id] {
		return "", countersign.FieldErrorf(countersign.EVALIDATION, field, "%s %q appears twice", kind, id)
	}
	ip.used[id] = true
	return id, nil
}
