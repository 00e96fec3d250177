package workflow

import (
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// MaxReminderDays bounds the days of a ReminderPolicy.
const MaxReminderDays = 365

// ReminderPolicy says when automatic reminders go to a participant whose
// action is open. A workspace sets one for its processes; a process may set
// its own. The zero policy sends none.
type ReminderPolicy struct {
	// EveryDays repeats a reminder this many days after the action opened
	// and after each reminder, manual ones included; 0 repeats none.
	EveryDays int `json:"reminderEveryDays"`
	// DaysBeforeDue sends one reminder this many days before the action's
	// deadline (see ActionDeadline); 0 sends none.
	DaysBeforeDue int `json:"reminderDaysBeforeDue"`
}

// Validate refuses days out of 0..MaxReminderDays (EVALIDATION naming the field).
func (r ReminderPolicy) Validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"reminderEveryDays", r.EveryDays}, {"reminderDaysBeforeDue", r.DaysBeforeDue}} {
		if f.v < 0 || f.v > MaxReminderDays {
			return countersign.FieldErrorf(countersign.EVALIDATION, f.name, "must be between 0 and %d days", MaxReminderDays)
		}
	}
	return nil
}

// Next returns when a participant is due for an automatic reminder: their
// action opened at opened, they were last reminded at last (nil: never) and
// must act before deadline (nil: no deadline). ok is false when no reminder
// is due any more under r. A reminder before the deadline is skipped when
// the action opened after its time (the invitation is fresher), or when a
// reminder already went out since that time; no reminder falls at or after
// the deadline.
func (r ReminderPolicy) Next(opened time.Time, last, deadline *time.Time) (at time.Time, ok bool) {
	since := opened
	if last != nil && last.After(since) {
		since = *last
	}
	consider := func(t time.Time) {
		if (deadline == nil || t.Before(*deadline)) && (!ok || t.Before(at)) {
			at, ok = t, true
		}
	}
	if r.EveryDays > 0 {
		consider(since.Add(time.Duration(r.EveryDays) * reminderDay))
	}
	if r.DaysBeforeDue > 0 && deadline != nil {
		point := deadline.Add(-time.Duration(r.DaysBeforeDue) * reminderDay)
		if point.After(opened) && (last == nil || last.Before(point)) {
			consider(point)
		}
	}
	return at, ok
}

// reminderDay is a day as reminders count it.
const reminderDay = 24 * time.Hour

// ActionDeadline returns the time before which signer signerID must act: its
// step's dueDate or the process's expiresAt, whichever is earlier; nil when
// neither is set or the signer is unknown.
func (p *Process) ActionDeadline(signerID string) *time.Time {
	st, sg := p.findSigner(signerID)
	if sg == nil {
		return nil
	}
	d := clonePtr(st.DueDate)
	if p.ExpiresAt != nil && (d == nil || p.ExpiresAt.Before(*d)) {
		d = clonePtr(p.ExpiresAt)
	}
	return d
}

// AutoRemind is one automatic reminder: it emits action.reminder.sent for
// signer signerID and counts one more reminder. The action must be open (as
// for Sign; ECONFLICT otherwise); an unknown signer is ENOTFOUND.
func (p *Process) AutoRemind(signerID string, now time.Time) ([]Emitted, error) {
	st, sg, err := p.openAction(signerID, "send a reminder", now)
	if err != nil {
		return nil, err
	}
	sg.Reminders++
	sg.RemindedAt = &now
	p.UpdatedAt = now
	return []Emitted{{Type: events.ActionReminderSent, Data: p.action(st, sg)}}, nil
}

// reminderDeadlines returns the automatic reminders due to the participants
// of started step st whose action is open, under the process's policy.
func (p *Process) reminderDeadlines(st *Step) []Deadline {
	if p.Reminders == (ReminderPolicy{}) {
		return nil
	}
	var out []Deadline
	for i := range st.Signers {
		sg := &st.Signers[i]
		if sg.Status != SigningWaitingForAction || sg.OpenedAt == nil {
			continue
		}
		if at, ok := p.Reminders.Next(*sg.OpenedAt, sg.RemindedAt, p.ActionDeadline(sg.ID)); ok {
			out = append(out, Deadline{Kind: DeadlineReminder, At: at, StepID: st.ID, SignerID: sg.ID})
		}
	}
	return out
}
