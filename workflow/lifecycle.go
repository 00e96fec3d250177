package workflow

import (
	"time"

	"github.com/countersign/countersign/events"
)

// Start moves a PENDING process to STARTED: the steps with the lowest
// processOrder start and their signers' actions open. It emits
// transaction.lifecycle.started, then action.opened per signer of the started
// steps, except for a step whose waiting period still runs at now: its signers
// stay WAITING_FOR_PROCESS until EndWaitingPeriod or CancelWaitingPeriod. A step
// whose waiting period already ended opens at once, without waiting-period events.
// A process whose expiresAt has passed cannot start.
func (p *Process) Start(now time.Time) ([]Emitted, error) {
	if p.Status != ProcessPending {
		return nil, conflict("process is %s; cannot start", p.Status)
	}
	if passed(p.ExpiresAt, now) {
		return nil, conflict("process is PENDING but expired at %s; cannot start", stamp(*p.ExpiresAt))
	}
	p.Status = ProcessStarted
	p.StartedAt = ptr(now)
	p.UpdatedAt = now
	opened, _ := p.startNextOrder(now)
	return append([]Emitted{p.transaction(events.TransactionStarted, "")}, opened...), nil
}

// Pause moves a STARTED process to PAUSED and emits transaction.lifecycle.paused.
// Open actions stay WAITING_FOR_ACTION, but nobody can act, and step due dates
// and waiting periods are not applied while paused; expiresAt still is.
func (p *Process) Pause(now time.Time) ([]Emitted, error) {
	if p.Status != ProcessStarted {
		return nil, conflict("process is %s; cannot pause", p.Status)
	}
	p.Status = ProcessPaused
	p.UpdatedAt = now
	return []Emitted{p.transaction(events.TransactionPaused, "")}, nil
}

// Resume moves a PAUSED process back to STARTED and emits
// transaction.lifecycle.started again; actions opened before the pause are not
// opened again. Due dates and waiting periods that passed during the pause are
// applied by the next Tick.
func (p *Process) Resume(now time.Time) ([]Emitted, error) {
	if p.Status != ProcessPaused {
		return nil, conflict("process is %s; cannot resume", p.Status)
	}
	if passed(p.ExpiresAt, now) {
		return nil, conflict("process is PAUSED but expired at %s; cannot resume", stamp(*p.ExpiresAt))
	}
	p.Status = ProcessStarted
	p.UpdatedAt = now
	return []Emitted{p.transaction(events.TransactionStarted, "")}, nil
}

// Cancel ends a PENDING, STARTED or PAUSED process as CANCELED and emits
// transaction.lifecycle.cancelled (reason "canceled"). Steps not completed are
// CANCELED, and so is every signer who had not acted.
func (p *Process) Cancel(now time.Time) ([]Emitted, error) {
	if p.Status.Ended() {
		return nil, conflict("process is %s; cannot cancel", p.Status)
	}
	p.end(ProcessCanceled, SigningCanceled, now)
	return []Emitted{p.transaction(events.TransactionCancelled, ReasonCanceled)}, nil
}

// Expire ends a PENDING, STARTED or PAUSED process whose expiresAt has passed as
// EXPIRED and emits transaction.lifecycle.expired (reason "expires_at_passed").
// Steps not completed are CANCELED and every signer who had not acted EXPIRED.
// Before expiresAt, or without one, it is a conflict.
func (p *Process) Expire(now time.Time) ([]Emitted, error) {
	switch {
	case p.Status.Ended():
		return nil, conflict("process is %s; cannot expire", p.Status)
	case p.ExpiresAt == nil:
		return nil, conflict("process is %s and has no expiresAt; cannot expire", p.Status)
	case !passed(p.ExpiresAt, now):
		return nil, conflict("process is %s until %s; cannot expire yet", p.Status, stamp(*p.ExpiresAt))
	}
	return p.expire(now), nil
}

// expire applies Expire without its checks.
func (p *Process) expire(now time.Time) []Emitted {
	p.end(ProcessExpired, SigningExpired, now)
	return []Emitted{p.transaction(events.TransactionExpired, ReasonExpiresAtPassed)}
}

// end moves p to the final status, every unfinished step to CANCELED and every
// signer who had not acted to signer.
func (p *Process) end(status ProcessStatus, signer SigningStatus, now time.Time) {
	p.Status = status
	p.UpdatedAt = now
	for i := range p.Steps {
		st := &p.Steps[i]
		if st.Status == StepWaitingForPrevious || st.Status == StepStarted {
			st.Status = StepCanceled
		}
		for j := range st.Signers {
			if st.Signers[j].Status.Waiting() {
				st.Signers[j].Status = signer
			}
		}
	}
}

// startNextOrder starts every WAITING_FOR_PREVIOUS step of the lowest
// processOrder left and returns their action.opened events; ok is false when no
// step was left to start.
func (p *Process) startNextOrder(now time.Time) (opened []Emitted, ok bool) {
	next := -1
	for i := range p.Steps {
		if p.Steps[i].Status == StepWaitingForPrevious && (next < 0 || p.Steps[i].ProcessOrder < next) {
			next = p.Steps[i].ProcessOrder
		}
	}
	if next < 0 {
		return nil, false
	}
	for i := range p.Steps {
		if p.Steps[i].Status == StepWaitingForPrevious && p.Steps[i].ProcessOrder == next {
			opened = append(opened, p.Steps[i].start(p, now)...)
		}
	}
	return opened, true
}

// advance completes the started steps whose signers have all acted and, once no
// step is left running, starts the next order or, after the last, completes the
// process. It returns the events that caused: action.opened for the next
// order's signers, or transaction.lifecycle.completed.
func (p *Process) advance(now time.Time) []Emitted {
	running := false
	for i := range p.Steps {
		st := &p.Steps[i]
		if st.Status != StepStarted {
			continue
		}
		if st.done() {
			st.complete()
		} else {
			running = true
		}
	}
	if running {
		return nil
	}
	// Every step has a signer who must act, so a step that just started is
	// still running: one order starts at most.
	if opened, ok := p.startNextOrder(now); ok {
		return opened
	}
	p.Status = ProcessCompleted
	p.CompletedAt = ptr(now)
	return []Emitted{p.transaction(events.TransactionCompleted, "")}
}
