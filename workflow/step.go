package workflow

import (
	"time"

	"github.com/countersign/countersign/events"
)

// Step is one step of a process (SigningProcessStep). Steps with the
// same ProcessOrder run in parallel; the next order starts when every step of the
// current one has completed.
type Step struct {
	ID           string
	ProcessOrder int
	Status       StepStatus
	// DueDate, when set, is when the step must be done: once it passes on a
	// STARTED step, the process expires (see Process.StepDue).
	DueDate *time.Time
	// WaitingPeriodEndsAt, when set, is the time before which the step's signers
	// cannot act. It is cleared when the period ends or is cancelled, and when
	// the step starts after it, so on a STARTED step a set value means "cannot
	// act yet". When the process ends it is left as it was.
	WaitingPeriodEndsAt *time.Time
	Signers             []Signer
}

// Waiting reports whether the step has started but its waiting period runs: its
// signers are still WAITING_FOR_PROCESS.
func (s *Step) Waiting() bool {
	return s.Status == StepStarted && s.WaitingPeriodEndsAt != nil
}

// done reports whether every signer who must act has signed or approved.
func (s *Step) done() bool {
	for i := range s.Signers {
		if s.Signers[i].Role.MustAct() && !s.Signers[i].Status.Done() {
			return false
		}
	}
	return true
}

// start moves a WAITING_FOR_PREVIOUS step to STARTED and opens its signers'
// actions unless its waiting period still runs at now. It returns the
// action.opened events for p's step.
func (s *Step) start(p *Process, now time.Time) []Emitted {
	s.Status = StepStarted
	if s.WaitingPeriodEndsAt != nil && now.Before(*s.WaitingPeriodEndsAt) {
		return nil
	}
	s.WaitingPeriodEndsAt = nil
	return s.open(p, "", nil, now)
}

// open moves every signer of s to WAITING_FOR_ACTION and returns, per signer,
// action.opened, preceded by an event of type first when it is not empty (a
// waiting-period event carrying the period's end wpEnd).
func (s *Step) open(p *Process, first events.Type, wpEnd *time.Time, now time.Time) []Emitted {
	var out []Emitted
	for i := range s.Signers {
		sg := &s.Signers[i]
		sg.Status = SigningWaitingForAction
		sg.OpenedAt = &now
		if first != "" {
			d := p.action(s, sg)
			d.WaitingPeriodEndsAt = clonePtr(wpEnd)
			out = append(out, Emitted{Type: first, Data: d})
		}
		out = append(out, Emitted{Type: events.ActionOpened, Data: p.action(s, sg)})
	}
	return out
}

// complete marks s COMPLETED. VIEWERs who had not viewed lose their action
// (CANCELED): the step no longer waits for anyone.
func (s *Step) complete() {
	s.Status = StepCompleted
	for i := range s.Signers {
		if s.Signers[i].Status.Waiting() {
			s.Signers[i].Status = SigningCanceled
		}
	}
}

// Payload returns the step as the API and events show it.
func (s *Step) Payload() events.Step {
	signers := make([]events.Signer, len(s.Signers))
	for i := range s.Signers {
		signers[i] = s.Signers[i].Payload()
	}
	return events.Step{
		ID:                  s.ID,
		ProcessOrder:        s.ProcessOrder,
		StepStatus:          string(s.Status),
		DueDate:             clonePtr(s.DueDate),
		ProcessStepSigners:  signers,
		WaitingPeriodEndsAt: clonePtr(s.WaitingPeriodEndsAt),
	}
}

// clone returns a deep copy of s.
func (s Step) clone() Step {
	s.DueDate = clonePtr(s.DueDate)
	s.WaitingPeriodEndsAt = clonePtr(s.WaitingPeriodEndsAt)
	signers := make([]Signer, len(s.Signers))
	for i := range s.Signers {
		signers[i] = s.Signers[i].clone()
	}
	s.Signers = signers
	return s
}
