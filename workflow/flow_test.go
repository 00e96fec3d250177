package workflow

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// must returns a function that returns the events of a transition and fails
// t when it failed: must(t)(p.Start(now)).
func must(t *testing.T) func([]Emitted, error) []Emitted {
	return func(evs []Emitted, err error) []Emitted {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
}

// The two-step, three-signer process (step #0: two SIGNERs in parallel; step
// #1: an APPROVER and a VIEWER) run to COMPLETED.
func TestFlowCompleted(t *testing.T) {
	p, created, err := NewProcess(fixtureInput(false), tActor, t0)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{p: p, ids: map[string]string{}}
	for _, sg := range p.Signers() {
		f.ids[sg.Name] = sg.ID
	}
	var all []Emitted
	all = append(all, created...)
	all = append(all, must(t)(p.Start(at(time.Minute)))...)
	all = append(all, must(t)(p.Sign(f.id("s2"), at(2*time.Minute)))...)
	if cur := p.Payload().CurrentInProgressStep; cur == nil || cur.ID != p.Steps[0].ID {
		t.Fatalf("step in progress after one signature = %+v, want step #0", cur)
	}
	all = append(all, must(t)(p.Sign(f.id("s1"), at(3*time.Minute)))...)
	all = append(all, must(t)(p.View(f.id("v1"), at(4*time.Minute)))...)
	all = append(all, must(t)(p.Approve(f.id("a1"), at(5*time.Minute)))...)

	assertTypes(t, all,
		events.TransactionCreated,
		events.TransactionStarted, events.ActionOpened, events.ActionOpened, // s1, s2
		events.ActionClosed,                                           // s2 signed
		events.ActionClosed, events.ActionOpened, events.ActionOpened, // s1 signed; a1, v1 opened
		events.ActionClosed,                              // v1 viewed
		events.ActionClosed, events.TransactionCompleted, // a1 approved
	)
	// Who each action event is about, and what closed it.
	type who struct{ name, action string }
	var got []who
	for _, e := range all {
		if d, ok := e.Data.(events.ActionData); ok {
			got = append(got, who{d.Signer.SignerName, d.Action})
		}
	}
	want := []who{{"s1", ""}, {"s2", ""}, {"s2", "SIGNED"}, {"s1", "SIGNED"}, {"a1", ""}, {"v1", ""}, {"v1", "VIEWED"}, {"a1", "APPROVED"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("action events about %v, want %v", got, want)
	}
	// The counters the payloads carry as the process advances.
	var counts [][2]int
	for _, e := range all {
		if d, ok := e.Data.(events.TransactionData); ok {
			counts = append(counts, [2]int{d.Process.TotalSigners, d.Process.TotalSigned})
		}
	}
	if want := [][2]int{{3, 0}, {3, 0}, {3, 3}}; !reflect.DeepEqual(counts, want) {
		t.Errorf("totalSigners/totalSigned = %v, want %v", counts, want)
	}
	last := txData(t, all[len(all)-1]).Process
	if last.Status != "COMPLETED" || last.CompletedAt == nil || !last.CompletedAt.Equal(at(5*time.Minute)) ||
		last.CurrentInProgressStep != nil || len(last.Signers) != 4 || last.Canceled {
		t.Errorf("completed payload = %+v", last)
	}
	if got := summary(p); got != "COMPLETED #0:COMPLETED(s1:SIGNED s2:SIGNED) #1:COMPLETED(a1:APPROVED v1:VIEWED)" {
		t.Errorf("state = %s", got)
	}
	if ds := p.Deadlines(); ds != nil {
		t.Errorf("a completed process has deadlines %v", ds)
	}
}

func TestFlowDeclined(t *testing.T) {
	f := build(t, "STEP2")
	evs := must(t)(f.p.Decline(f.id("a1"), events.StallReviewRefusal, at(opTime)))
	assertTypes(t, evs, events.ActionStalled, events.TransactionDeclined)
	st := actionData(t, evs[0])
	if st.StallReason != events.StallReviewRefusal || st.Signer.SignerName != "a1" ||
		st.Signer.SigningStatus != "DECLINED" || st.StepID != f.stepB || st.ProcessOrder != 1 {
		t.Errorf("stalled = %+v", st)
	}
	tx := txData(t, evs[1])
	if tx.Reason != "review_refusal" || tx.Process.Status != "DECLINED" || tx.Process.TotalSigned != 2 {
		t.Errorf("declined = %+v", tx)
	}
	if a1, _ := f.p.Signer(f.id("a1")); a1.ActedAt == nil || !a1.ActedAt.Equal(at(opTime)) {
		t.Errorf("a1 actedAt = %v", a1.ActedAt)
	}
}

func TestDeclineReasons(t *testing.T) {
	tests := []struct {
		reason events.StallReason
		code   string
	}{
		{"", "validation_failed"},
		{"bogus", "invalid_request"},
		{events.StallDueDatePassed, "validation_failed"},
		{events.StallSealerExpired, ""},
	}
	for _, tt := range tests {
		f := build(t, "STARTED")
		_, err := f.p.Decline(f.id("s1"), tt.reason, at(opTime))
		if tt.code == "" {
			if err != nil {
				t.Errorf("%q: %v", tt.reason, err)
			}
			continue
		}
		assertField(t, err, tt.code, "stallReason")
	}
}

func TestFlowCanceled(t *testing.T) {
	f := build(t, "PAUSED")
	evs := must(t)(f.p.Cancel(at(opTime)))
	assertTypes(t, evs, events.TransactionCancelled)
	tx := txData(t, evs[0])
	if !tx.Process.Canceled || tx.Process.Status != "CANCELED" || tx.Reason != ReasonCanceled || tx.Process.CompletedAt != nil {
		t.Errorf("cancelled = %+v", tx)
	}
	if err := f.p.CanDelete(); err != nil {
		t.Errorf("CanDelete of a canceled process: %v", err)
	}
}

func TestFlowPauseResume(t *testing.T) {
	f := build(t, "STARTED")
	must(t)(f.p.Sign(f.id("s1"), at(2*time.Minute)))
	must(t)(f.p.Pause(at(3 * time.Minute)))
	_, err := f.p.Sign(f.id("s2"), at(4*time.Minute))
	assertCode(t, err, "conflict")
	evs := must(t)(f.p.Resume(at(5 * time.Minute)))
	assertTypes(t, evs, events.TransactionStarted)
	if got := *f.p.StartedAt; !got.Equal(at(time.Minute)) {
		t.Errorf("resume moved startedAt to %v", got)
	}
	evs = must(t)(f.p.Sign(f.id("s2"), at(6*time.Minute)))
	assertTypes(t, evs, events.ActionClosed, events.ActionOpened, events.ActionOpened)
}

// Parallel steps: the next order starts only when every step of the current
// one completed; orders need not be consecutive.
func TestFlowParallelSteps(t *testing.T) {
	in := ProcessInput{SigningProcessSteps: []StepInput{
		{ProcessOrder: 5, ProcessStepSigners: []SignerInput{{SignerName: "c", SignerRole: RoleSigner}}},
		{ProcessOrder: 0, ProcessStepSigners: []SignerInput{{SignerName: "a", SignerRole: RoleSigner}}},
		{ProcessOrder: 0, ProcessStepSigners: []SignerInput{{SignerName: "b", SignerRole: RoleApprover}, {SignerName: "bv", SignerRole: RoleViewer}}},
	}}
	p, _, err := NewProcess(in, tActor, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(p); got != "PENDING #0:WFP(a:WP) #0:WFP(b:WP bv:WP) #5:WFP(c:WP)" {
		t.Fatalf("steps not sorted by processOrder: %s", got)
	}
	id := func(name string) string {
		for _, s := range p.Signers() {
			if s.Name == name {
				return s.ID
			}
		}
		t.Fatalf("no signer %s", name)
		return ""
	}
	assertTypes(t, must(t)(p.Start(at(1))), events.TransactionStarted, events.ActionOpened, events.ActionOpened, events.ActionOpened)
	assertTypes(t, must(t)(p.Approve(id("b"), at(2))), events.ActionClosed)
	if got := summary(p); got != "STARTED #0:STARTED(a:WA) #0:COMPLETED(b:APPROVED bv:CANCELED) #5:WFP(c:WP)" {
		t.Fatalf("after b: %s", got)
	}
	if cur := p.Payload().CurrentInProgressStep; cur == nil || cur.ID != p.Steps[0].ID {
		t.Errorf("step in progress = %+v", cur)
	}
	assertTypes(t, must(t)(p.Sign(id("a"), at(3))), events.ActionClosed, events.ActionOpened)
	assertTypes(t, must(t)(p.Sign(id("c"), at(4))), events.ActionClosed, events.TransactionCompleted)
}

func TestStartRefusedAfterExpiry(t *testing.T) {
	f := build(t, "PENDING")
	_, err := f.p.Start(at(expiry))
	assertCode(t, err, "conflict")
	f = build(t, "PAUSED")
	_, err = f.p.Resume(at(expiry))
	assertCode(t, err, "conflict")
}

// Commands refuse to act past a deadline the scheduler has not applied yet.
func TestActionsRefusedPastDeadlines(t *testing.T) {
	f := build(t, "STARTED")
	for name, now := range map[string]time.Time{"step due": at(dueA), "expired": at(expiry)} {
		before := deepCopy(t, f.p)
		if _, err := f.p.Sign(f.id("s1"), now); err == nil {
			t.Errorf("%s: sign accepted", name)
		}
		if _, err := f.p.ManualReminder(f.id("s1"), now); err == nil {
			t.Errorf("%s: reminder accepted", name)
		}
		if evs := f.p.RemindOpen(now); len(evs) != 0 {
			t.Errorf("%s: reminders %v", name, types(evs))
		}
		if !reflect.DeepEqual(before, f.p) {
			t.Errorf("%s: process changed", name)
		}
	}
}

// An unknown stall reason is answered with the list of those a client may give.
func TestUnknownStallReasonListsTheValidOnes(t *testing.T) {
	f := build(t, "STARTED")
	_, err := f.p.Decline(f.id("s1"), "bored", at(opTime))
	e := countersign.AsError(err)
	if e == nil || e.Field != "stallReason" {
		t.Fatalf("Decline(bored) = %v, want an error on stallReason", err)
	}
	for _, r := range ClientStallReasons() {
		if !strings.Contains(e.Message, string(r)) {
			t.Errorf("message %q does not list %s", e.Message, r)
		}
	}
	if strings.Contains(e.Message, string(events.StallDueDatePassed)) {
		t.Errorf("message %q offers %s, which only the scheduler gives", e.Message, events.StallDueDatePassed)
	}
}
