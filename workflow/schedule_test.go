package workflow

import (
	"reflect"
	"testing"
	"time"

	"github.com/countersign/countersign/events"
)

func TestDeadlines(t *testing.T) {
	tests := []struct {
		state string
		want  []Deadline
	}{
		{"PENDING", []Deadline{{DeadlineExpiry, at(expiry), "", ""}}},
		{"STARTED", []Deadline{{DeadlineStepDue, at(dueA), "A", ""}, {DeadlineExpiry, at(expiry), "", ""}}},
		{"WAITING", []Deadline{{DeadlineWaitingPeriod, at(waitEnd), "A", ""}, {DeadlineStepDue, at(dueA), "A", ""}, {DeadlineExpiry, at(expiry), "", ""}}},
		{"STEP2", []Deadline{{DeadlineStepDue, at(dueB), "B", ""}, {DeadlineExpiry, at(expiry), "", ""}}},
		{"PAUSED", []Deadline{{DeadlineExpiry, at(expiry), "", ""}}},
		{"PAUSED2", []Deadline{{DeadlineExpiry, at(expiry), "", ""}}},
		{"COMPLETED", nil},
		{"DECLINED", nil},
		{"CANCELED", nil},
		{"EXPIRED", nil},
	}
	for _, tt := range tests {
		t.Run(tt.state, func(t *testing.T) {
			f := build(t, tt.state)
			for i := range tt.want {
				tt.want[i].StepID = map[string]string{"A": f.stepA, "B": f.stepB, "": ""}[tt.want[i].StepID]
			}
			if got := f.p.Deadlines(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Deadlines = %+v, want %+v", got, tt.want)
			}
			next, ok := f.p.NextDue()
			if ok != (tt.want != nil) || (ok && !next.Equal(tt.want[0].At)) {
				t.Errorf("NextDue = %v, %v", next, ok)
			}
			if ok && (f.p.Due(next.Add(-time.Nanosecond)) || !f.p.Due(next)) {
				t.Errorf("Due is not exactly from %v", next)
			}
		})
	}
}

// Deadlines at the same time apply waiting period, then step due date, then expiry.
func TestDeadlinesSameTime(t *testing.T) {
	in := fixtureInput(true)
	in.SigningProcessSteps[0].DueDate = tp(expiry)
	p, _, err := NewProcess(in, tActor, t0)
	if err != nil {
		t.Fatal(err)
	}
	must(t)(p.Start(at(time.Minute)))
	var kinds []DeadlineKind
	for _, d := range p.Deadlines() {
		kinds = append(kinds, d.Kind)
	}
	if want := []DeadlineKind{DeadlineWaitingPeriod, DeadlineStepDue, DeadlineExpiry}; !reflect.DeepEqual(kinds, want) {
		t.Fatalf("kinds = %v", kinds)
	}
	tx := txData(t, p.Tick(at(expiry))[6])
	if tx.Reason != ReasonDueDatePassed {
		t.Errorf("a step due at the expiry ends the process for %q", tx.Reason)
	}
}

func TestExpiry(t *testing.T) {
	f := build(t, "STEP2")
	if evs := f.p.Tick(at(dueB).Add(-time.Nanosecond)); len(evs) != 0 {
		t.Fatalf("tick before any deadline: %v", types(evs))
	}
	in := fixtureInput(false)
	in.SigningProcessSteps[1].DueDate = nil
	p, _, _ := NewProcess(in, tActor, t0)
	must(t)(p.Start(at(time.Minute)))
	must(t)(p.Sign(p.Steps[0].Signers[0].ID, at(2*time.Minute)))
	must(t)(p.Sign(p.Steps[0].Signers[1].ID, at(3*time.Minute)))
	evs := p.Tick(at(expiry))
	assertTypes(t, evs, events.TransactionExpired)
	tx := txData(t, evs[0])
	if tx.Reason != ReasonExpiresAtPassed || tx.Process.Status != "EXPIRED" || tx.Process.TotalSigned != 2 {
		t.Errorf("expired = %+v", tx)
	}
	if got := summary(p); got != sExpired2 {
		t.Errorf("state = %s", got)
	}
	if evs := p.Tick(at(2 * expiry)); len(evs) != 0 {
		t.Errorf("second tick: %v", types(evs))
	}
}

func TestStepDueDate(t *testing.T) {
	f := build(t, "STARTED")
	must(t)(f.p.Sign(f.id("s1"), at(opTime)))
	evs := f.p.Tick(at(dueA))
	assertTypes(t, evs, events.ActionStalled, events.TransactionExpired)
	st := actionData(t, evs[0])
	if st.Signer.SignerName != "s2" || st.StallReason != events.StallDueDatePassed ||
		st.Signer.SigningStatus != "EXPIRED" || st.Signer.ActedAt != nil || st.StepID != f.stepA {
		t.Errorf("stalled = %+v", st)
	}
	if tx := txData(t, evs[1]); tx.Reason != ReasonDueDatePassed {
		t.Errorf("reason = %q", tx.Reason)
	}
	if got := summary(f.p); got != "EXPIRED #0:CANCELED(s1:SIGNED s2:EXPIRED) #1:CANCELED(a1:EXPIRED v1:EXPIRED)" {
		t.Errorf("state = %s", got)
	}
}

func TestWaitingPeriodEnd(t *testing.T) {
	f := build(t, "WAITING")
	if evs := f.p.Tick(at(waitEnd).Add(-time.Second)); len(evs) != 0 {
		t.Fatalf("tick before the end: %v", types(evs))
	}
	evs := f.p.Tick(at(waitEnd))
	assertTypes(t, evs, eWPEnded, eOpened, eWPEnded, eOpened)
	for i, name := range []string{"s1", "s1", "s2", "s2"} {
		d := actionData(t, evs[i])
		wantWP := i%2 == 0
		if d.Signer.SignerName != name || d.Signer.SigningStatus != "WAITING_FOR_ACTION" ||
			(d.WaitingPeriodEndsAt != nil) != wantWP || (wantWP && !d.WaitingPeriodEndsAt.Equal(at(waitEnd))) {
			t.Errorf("event %d = %+v", i, d)
		}
	}
	if st, _ := f.p.Step(f.stepA); st.WaitingPeriodEndsAt != nil {
		t.Errorf("waiting period still set: %v", st.WaitingPeriodEndsAt)
	}
	must(t)(f.p.Sign(f.id("s1"), at(waitEnd)))
}

func TestWaitingPeriodCancel(t *testing.T) {
	f := build(t, "WAITING")
	evs := must(t)(f.p.CancelWaitingPeriod(f.stepA, at(opTime)))
	assertTypes(t, evs, eWPCancelled, eOpened, eWPCancelled, eOpened)
	if d := actionData(t, evs[0]); d.WaitingPeriodEndsAt == nil || !d.WaitingPeriodEndsAt.Equal(at(waitEnd)) {
		t.Errorf("cancelled carries %v, want the end the period would have had", d.WaitingPeriodEndsAt)
	}
	if ds := f.p.Deadlines(); ds[0].Kind != DeadlineStepDue {
		t.Errorf("deadlines after cancel: %+v", ds)
	}
}

// A step that starts after its waiting period ended opens at once, with no
// waiting-period events, and the period is cleared.
func TestWaitingPeriodOverAtStart(t *testing.T) {
	f := newFixture(t, true)
	evs := must(t)(f.p.Start(at(afterWait)))
	assertTypes(t, evs, eStarted, eOpened, eOpened)
	if got := summary(f.p); got != sStarted {
		t.Errorf("state = %s", got)
	}
}

// A pause stops step deadlines from being applied; the first tick after resume does.
func TestPauseHoldsStepDeadlines(t *testing.T) {
	f := build(t, "WAITING")
	must(t)(f.p.Pause(at(opTime)))
	if evs := f.p.Tick(at(afterDueA)); len(evs) != 0 {
		t.Fatalf("tick while paused: %v", types(evs))
	}
	must(t)(f.p.Resume(at(afterDueA)))
	assertTypes(t, f.p.Tick(at(afterDueA)), eWPEnded, eOpened, eWPEnded, eOpened, eStalled, eStalled, eExpired)
}

func TestReminders(t *testing.T) {
	f := build(t, "STARTED")
	evs := f.p.RemindOpen(at(opTime))
	assertTypes(t, evs, eReminder, eReminder)
	must(t)(f.p.ManualReminder(f.id("s1"), at(opTime+time.Minute)))
	must(t)(f.p.Sign(f.id("s2"), at(opTime+2*time.Minute)))
	assertTypes(t, f.p.RemindOpen(at(opTime+3*time.Minute)), eReminder)
	counts := map[string]int{}
	for _, sg := range f.p.Signers() {
		counts[sg.Name] = sg.Reminders
	}
	if want := map[string]int{"s1": 3, "s2": 1, "a1": 0, "v1": 0}; !reflect.DeepEqual(counts, want) {
		t.Errorf("reminders = %v, want %v", counts, want)
	}
	if !f.p.UpdatedAt.Equal(at(opTime + 3*time.Minute)) {
		t.Errorf("updatedAt = %v", f.p.UpdatedAt)
	}
	d := actionData(t, evs[0])
	if d.ProcessID != f.p.ID || d.DocumentID != "doc-1" || d.Signer.SignerName != "s1" {
		t.Errorf("reminder = %+v", d)
	}
}
