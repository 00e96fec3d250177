package workflow

import (
	"sort"
	"time"

	"github.com/countersign/countersign/events"
)

// DeadlineKind says what happens when a Deadline is reached.
type DeadlineKind string

// The deadline kinds, in the order Tick applies deadlines that fall at the same time.
const (
	// DeadlineWaitingPeriod: a started step's waiting period ends (EndWaitingPeriod).
	DeadlineWaitingPeriod DeadlineKind = "waiting_period"
	// DeadlineStepDue: a started step's dueDate passes (StepDue).
	DeadlineStepDue DeadlineKind = "step_due"
	// DeadlineExpiry: the process's expiresAt passes (Expire).
	DeadlineExpiry DeadlineKind = "expiry"
	// DeadlineReminder: a participant is due an automatic reminder (AutoRemind).
	DeadlineReminder DeadlineKind = "reminder"
)

// rank orders deadline kinds that fall at the same time.
func (k DeadlineKind) rank() int {
	switch k {
	case DeadlineWaitingPeriod:
		return 0
	case DeadlineStepDue:
		return 1
	case DeadlineExpiry:
		return 2
	default:
		return 3
	}
}

// Deadline is a time at which the scheduler has something to apply to a process.
type Deadline struct {
	Kind DeadlineKind
	At   time.Time
	// StepID is the step concerned, for the step kinds.
	StepID string
	// SignerID is the participant to remind, for DeadlineReminder.
	SignerID string
}

// Deadlines returns what the scheduler will have to apply to p, earliest first.
// A PENDING or PAUSED process has only its expiresAt: step due dates and waiting
// periods count only while the process is STARTED (a pause stops them from being
// applied, not the clock: one that passed during the pause is applied by the
// first Tick after Resume). An ended process has none.
func (p *Process) Deadlines() []Deadline {
	if p.Status.Ended() {
		return nil
	}
	var out []Deadline
	if p.Status == ProcessStarted {
		for i := range p.Steps {
			st := &p.Steps[i]
			if st.Status != StepStarted {
				continue
			}
			if st.WaitingPeriodEndsAt != nil {
				out = append(out, Deadline{Kind: DeadlineWaitingPeriod, At: *st.WaitingPeriodEndsAt, StepID: st.ID})
			}
			if st.DueDate != nil {
				out = append(out, Deadline{Kind: DeadlineStepDue, At: *st.DueDate, StepID: st.ID})
			}
			if st.WaitingPeriodEndsAt == nil {
				out = append(out, p.reminderDeadlines(st)...)
			}
		}
	}
	if p.ExpiresAt != nil {
		out = append(out, Deadline{Kind: DeadlineExpiry, At: *p.ExpiresAt})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].Kind.rank() < out[j].Kind.rank()
	})
	return out
}

// NextDue returns the earliest deadline of p: when a scheduler should call Tick
// next. ok is false when nothing is scheduled. Store it with the process so the
// scheduler can query the processes that are due.
func (p *Process) NextDue() (at time.Time, ok bool) {
	ds := p.Deadlines()
	if len(ds) == 0 {
		return time.Time{}, false
	}
	return ds[0].At, true
}

// Due reports whether some deadline of p has been reached at now.
func (p *Process) Due(now time.Time) bool {
	at, ok := p.NextDue()
	return ok && !at.After(now)
}

// Tick applies, in time order, every deadline reached at now, exactly as if the
// scheduler had applied each on time, and returns the events they caused (none
// when nothing was due). A waiting period that ended opens its step's actions
// (EndWaitingPeriod); a step due date or the expiresAt ends the process
// (StepDue, Expire), after which nothing else is due.
func (p *Process) Tick(now time.Time) []Emitted {
	var out []Emitted
	for {
		ds := p.Deadlines()
		if len(ds) == 0 || ds[0].At.After(now) {
			return out
		}
		switch d := ds[0]; d.Kind {
		case DeadlineWaitingPeriod:
			out = append(out, p.endWaitingPeriod(p.findStep(d.StepID), now)...)
		case DeadlineStepDue:
			out = append(out, p.stepDue(now)...)
		case DeadlineReminder:
			emitted, err := p.AutoRemind(d.SignerID, now)
			if err != nil {
				// Not open after all (Deadlines and canAct disagree): stop
				// rather than find the same deadline again.
				return out
			}
			out = append(out, emitted...)
		default:
			out = append(out, p.expire(now)...)
		}
	}
}

// StepDue applies a passed step due date: the process is STARTED and a STARTED
// step's dueDate is at or before now. Countersign treats a missed step due date
// as the end of the process, since the order of steps cannot be kept: every
// WAITING_FOR_ACTION signer of each overdue step becomes EXPIRED with
// action.stalled (StallReason due_date_passed), then the process EXPIRES as Expire
// does, with transaction.lifecycle.expired (reason due_date_passed). Steps whose
// turn has not come are not checked: a step that starts after its dueDate is
// due at once.
func (p *Process) StepDue(now time.Time) ([]Emitted, error) {
	if p.Status != ProcessStarted {
		return nil, conflict("process is %s; cannot apply a step due date", p.Status)
	}
	for i := range p.Steps {
		if p.Steps[i].Status == StepStarted && passed(p.Steps[i].DueDate, now) {
			return p.stepDue(now), nil
		}
	}
	return nil, conflict("process is STARTED and no started step is past its due date; cannot apply one")
}

// stepDue applies StepDue without its checks.
func (p *Process) stepDue(now time.Time) []Emitted {
	var out []Emitted
	for i := range p.Steps {
		st := &p.Steps[i]
		if st.Status != StepStarted || !passed(st.DueDate, now) {
			continue
		}
		for j := range st.Signers {
			sg := &st.Signers[j]
			if sg.Status != SigningWaitingForAction {
				continue
			}
			sg.Status = SigningExpired
			d := p.action(st, sg)
			d.StallReason = events.StallDueDatePassed
			out = append(out, Emitted{Type: events.ActionStalled, Data: d})
		}
	}
	p.end(ProcessExpired, SigningExpired, now)
	return append(out, p.transaction(events.TransactionExpired, ReasonDueDatePassed))
}
