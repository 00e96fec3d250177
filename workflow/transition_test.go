package workflow

import (
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// Event types, short, for the tables.
var (
	eStarted     = events.TransactionStarted
	ePaused      = events.TransactionPaused
	eCancelled   = events.TransactionCancelled
	eExpired     = events.TransactionExpired
	eCompleted   = events.TransactionCompleted
	eDeclined    = events.TransactionDeclined
	eChat        = events.ChatMessageReceived
	eOpened      = events.ActionOpened
	eClosed      = events.ActionClosed
	eStalled     = events.ActionStalled
	eManual      = events.ActionManualReminderSent
	eReminder    = events.ActionReminderSent
	eWPEnded     = events.ActionWaitingPeriodEnded
	eWPCancelled = events.ActionWaitingPeriodCancel
)

func ev(ts ...events.Type) []events.Type { return ts }

// Summaries that several rows reach.
const (
	sPending   = "PENDING #0:WFP(s1:WP s2:WP) #1:WFP(a1:WP v1:WP)"
	sStarted   = "STARTED #0:STARTED(s1:WA s2:WA) #1:WFP(a1:WP v1:WP)"
	sWaiting   = "STARTED #0:STARTED~(s1:WP s2:WP) #1:WFP(a1:WP v1:WP)"
	sStep2     = "STARTED #0:COMPLETED(s1:SIGNED s2:SIGNED) #1:STARTED(a1:WA v1:WA)"
	sPaused    = "PAUSED #0:STARTED(s1:WA s2:WA) #1:WFP(a1:WP v1:WP)"
	sPaused2   = "PAUSED #0:COMPLETED(s1:SIGNED s2:SIGNED) #1:STARTED(a1:WA v1:WA)"
	sCompleted = "COMPLETED #0:COMPLETED(s1:SIGNED s2:SIGNED) #1:COMPLETED(a1:APPROVED v1:CANCELED)"
	sDeclined  = "DECLINED #0:CANCELED(s1:DECLINED s2:CANCELED) #1:CANCELED(a1:CANCELED v1:CANCELED)"
	sCanceled  = "CANCELED #0:CANCELED(s1:CANCELED s2:CANCELED) #1:CANCELED(a1:CANCELED v1:CANCELED)"
	sCanceled2 = "CANCELED #0:COMPLETED(s1:SIGNED s2:SIGNED) #1:CANCELED(a1:CANCELED v1:CANCELED)"
	sExpired   = "EXPIRED #0:CANCELED(s1:EXPIRED s2:EXPIRED) #1:CANCELED(a1:EXPIRED v1:EXPIRED)"
	sExpired2  = "EXPIRED #0:COMPLETED(s1:SIGNED s2:SIGNED) #1:CANCELED(a1:EXPIRED v1:EXPIRED)"
)

// The summary each starting state is built to.
var stateSummary = map[string]string{
	"PENDING": sPending, "STARTED": sStarted, "WAITING": sWaiting, "STEP2": sStep2,
	"PAUSED": sPaused, "PAUSED2": sPaused2, "COMPLETED": sCompleted, "DECLINED": sDeclined,
	"CANCELED": sCanceled, "EXPIRED": sExpired,
}

type opFunc func(f *fixture) ([]Emitted, error)

// ops are the operations of the transition table. Unless named otherwise they
// run at t0+30m: after the fixture's start, before its waiting period ends.
var ops = map[string]opFunc{
	"Start":        func(f *fixture) ([]Emitted, error) { return f.p.Start(at(opTime)) },
	"Pause":        func(f *fixture) ([]Emitted, error) { return f.p.Pause(at(opTime)) },
	"Resume":       func(f *fixture) ([]Emitted, error) { return f.p.Resume(at(opTime)) },
	"Cancel":       func(f *fixture) ([]Emitted, error) { return f.p.Cancel(at(opTime)) },
	"Expire +31d":  func(f *fixture) ([]Emitted, error) { return f.p.Expire(at(afterExpir)) },
	"Expire early": func(f *fixture) ([]Emitted, error) { return f.p.Expire(at(opTime)) },
	"StepDue +11d": func(f *fixture) ([]Emitted, error) { return f.p.StepDue(at(afterDueA)) },
	"StepDue early": func(f *fixture) ([]Emitted, error) {
		return f.p.StepDue(at(opTime))
	},
	"Sign s1":     func(f *fixture) ([]Emitted, error) { return f.p.Sign(f.id("s1"), at(opTime)) },
	"Sign a1":     func(f *fixture) ([]Emitted, error) { return f.p.Sign(f.id("a1"), at(opTime)) },
	"Sign nobody": func(f *fixture) ([]Emitted, error) { return f.p.Sign(countersign.NewUUID(), at(opTime)) },
	"Approve a1":  func(f *fixture) ([]Emitted, error) { return f.p.Approve(f.id("a1"), at(opTime)) },
	"Approve s1":  func(f *fixture) ([]Emitted, error) { return f.p.Approve(f.id("s1"), at(opTime)) },
	"View v1":     func(f *fixture) ([]Emitted, error) { return f.p.View(f.id("v1"), at(opTime)) },
	"View s1":     func(f *fixture) ([]Emitted, error) { return f.p.View(f.id("s1"), at(opTime)) },
	"Decline s1": func(f *fixture) ([]Emitted, error) {
		return f.p.Decline(f.id("s1"), events.StallSignatureRefusal, at(opTime))
	},
	"Decline a1": func(f *fixture) ([]Emitted, error) {
		return f.p.Decline(f.id("a1"), events.StallReviewRefusal, at(opTime))
	},
	"Decline v1": func(f *fixture) ([]Emitted, error) {
		return f.p.Decline(f.id("v1"), events.StallConsultationRefusal, at(opTime))
	},
	"Decline s1 bogus": func(f *fixture) ([]Emitted, error) { return f.p.Decline(f.id("s1"), "bogus", at(opTime)) },
	"EndWaitingPeriod A": func(f *fixture) ([]Emitted, error) {
		return f.p.EndWaitingPeriod(f.stepA, at(afterWait))
	},
	"EndWaitingPeriod A early": func(f *fixture) ([]Emitted, error) {
		return f.p.EndWaitingPeriod(f.stepA, at(opTime))
	},
	"CancelWaitingPeriod A": func(f *fixture) ([]Emitted, error) {
		return f.p.CancelWaitingPeriod(f.stepA, at(opTime))
	},
	"CancelWaitingPeriod A late": func(f *fixture) ([]Emitted, error) {
		return f.p.CancelWaitingPeriod(f.stepA, at(afterWait))
	},
	"Update": func(f *fixture) ([]Emitted, error) {
		return f.p.Update(ProcessInput{DocumentName: "Lease v2.pdf", ExpiresAt: tp(expiry)}, at(opTime))
	},
	"Update steps": func(f *fixture) ([]Emitted, error) {
		return f.p.Update(ProcessInput{DocumentName: "Lease v2.pdf", SigningProcessSteps: []StepInput{
			{ProcessOrder: 0, ProcessStepSigners: []SignerInput{
				{ID: f.id("s1"), SignerName: "s1", SignerRole: RoleSigner},
				{SignerName: "n1", SignerRole: RoleSigner},
			}},
		}}, at(opTime))
	},
	"UpdateStep A due": func(f *fixture) ([]Emitted, error) {
		return f.p.UpdateStep(f.stepA, StepInput{ProcessOrder: 0, DueDate: tp(12 * day)}, at(opTime))
	},
	"UpdateStep B": func(f *fixture) ([]Emitted, error) {
		return f.p.UpdateStep(f.stepB, StepInput{ProcessOrder: 2, DueDate: tp(dueB), ProcessStepSigners: []SignerInput{
			{ID: f.id("a1"), SignerName: "a1", SignerRole: RoleApprover},
			{SignerName: "n2", SignerRole: RoleViewer},
		}}, at(opTime))
	},
	"UpdateStep nowhere": func(f *fixture) ([]Emitted, error) {
		return f.p.UpdateStep(countersign.NewUUID(), StepInput{}, at(opTime))
	},
	"RemindOpen":         func(f *fixture) ([]Emitted, error) { return f.p.RemindOpen(at(opTime)), nil },
	"ManualReminder s1":  func(f *fixture) ([]Emitted, error) { return f.p.ManualReminder(f.id("s1"), at(opTime)) },
	"ManualReminder a1":  func(f *fixture) ([]Emitted, error) { return f.p.ManualReminder(f.id("a1"), at(opTime)) },
	"PostMessage s1":     func(f *fixture) ([]Emitted, error) { return f.p.PostMessage(f.id("s1"), "Question", at(opTime)) },
	"CanDelete":          func(f *fixture) ([]Emitted, error) { return nil, f.p.CanDelete() },
	"Tick":               func(f *fixture) ([]Emitted, error) { return f.p.Tick(at(opTime)), nil },
	"Tick +31d":          func(f *fixture) ([]Emitted, error) { return f.p.Tick(at(afterExpir)), nil },
	"Tick +11d (step A)": func(f *fixture) ([]Emitted, error) { return f.p.Tick(at(afterDueA)), nil },
}

// same as a row's want: the state did not change (as summary shows it).
const same = "="

// outcome is what one operation does in one state: an error code, or the new
// summary and the events, in order.
type outcome struct {
	code string
	want string
	evs  []events.Type
}

var (
	conflictO = outcome{code: countersign.ECONFLICT}
	noop      = outcome{want: same, evs: ev()}
)

func ok(want string, evs ...events.Type) outcome { return outcome{want: want, evs: evs} }

// table is every operation in every state. Operations a state does not list
// are conflicts; the four operations listed in allStates hold everywhere.
var table = map[string]map[string]outcome{
	"PENDING": {
		"Start":              ok(sStarted, eStarted, eOpened, eOpened),
		"Cancel":             ok(sCanceled, eCancelled),
		"Expire +31d":        ok(sExpired, eExpired),
		"Update":             noop,
		"Update steps":       ok("PENDING #0:WFP(s1:WP n1:WP)"),
		"UpdateStep A due":   {code: countersign.EVALIDATION},
		"UpdateStep B":       ok("PENDING #0:WFP(s1:WP s2:WP) #2:WFP(a1:WP n2:WP)"),
		"RemindOpen":         noop,
		"PostMessage s1":     ok(same, eChat),
		"CanDelete":          noop,
		"Tick":               noop,
		"Tick +11d (step A)": noop,
		"Tick +31d":          ok(sExpired, eExpired),
	},
	"STARTED": {
		"Pause":              ok(sPaused, ePaused),
		"Cancel":             ok(sCanceled, eCancelled),
		"Expire +31d":        ok(sExpired, eExpired),
		"StepDue +11d":       ok(sExpired, eStalled, eStalled, eExpired),
		"Sign s1":            ok("STARTED #0:STARTED(s1:SIGNED s2:WA) #1:WFP(a1:WP v1:WP)", eClosed),
		"Decline s1":         ok(sDeclined, eStalled, eDeclined),
		"RemindOpen":         ok(same, eReminder, eReminder),
		"ManualReminder s1":  ok(same, eManual),
		"PostMessage s1":     ok(same, eChat),
		"Tick":               noop,
		"Tick +11d (step A)": ok(sExpired, eStalled, eStalled, eExpired),
		"Tick +31d":          ok(sExpired, eStalled, eStalled, eExpired),
	},
	"WAITING": {
		"Pause": ok("PAUSED #0:STARTED~(s1:WP s2:WP) #1:WFP(a1:WP v1:WP)", ePaused),
		// A period still running when the process ends stays set: it is history.
		"Cancel":                ok("CANCELED #0:CANCELED~(s1:CANCELED s2:CANCELED) #1:CANCELED(a1:CANCELED v1:CANCELED)", eCancelled),
		"Expire +31d":           ok("EXPIRED #0:CANCELED~(s1:EXPIRED s2:EXPIRED) #1:CANCELED(a1:EXPIRED v1:EXPIRED)", eExpired),
		"StepDue +11d":          ok("EXPIRED #0:CANCELED~(s1:EXPIRED s2:EXPIRED) #1:CANCELED(a1:EXPIRED v1:EXPIRED)", eExpired),
		"EndWaitingPeriod A":    ok(sStarted, eWPEnded, eOpened, eWPEnded, eOpened),
		"CancelWaitingPeriod A": ok(sStarted, eWPCancelled, eOpened, eWPCancelled, eOpened),
		"RemindOpen":            noop,
		"PostMessage s1":        ok(same, eChat),
		"Tick":                  noop,
		"Tick +11d (step A)":    ok(sExpired, eWPEnded, eOpened, eWPEnded, eOpened, eStalled, eStalled, eExpired),
		"Tick +31d":             ok(sExpired, eWPEnded, eOpened, eWPEnded, eOpened, eStalled, eStalled, eExpired),
	},
	"STEP2": {
		"Pause":              ok(sPaused2, ePaused),
		"Cancel":             ok(sCanceled2, eCancelled),
		"Expire +31d":        ok(sExpired2, eExpired),
		"Approve a1":         ok(sCompleted, eClosed, eCompleted),
		"View v1":            ok("STARTED #0:COMPLETED(s1:SIGNED s2:SIGNED) #1:STARTED(a1:WA v1:VIEWED)", eClosed),
		"Decline a1":         ok("DECLINED #0:COMPLETED(s1:SIGNED s2:SIGNED) #1:CANCELED(a1:DECLINED v1:CANCELED)", eStalled, eDeclined),
		"RemindOpen":         ok(same, eReminder, eReminder),
		"ManualReminder a1":  ok(same, eManual),
		"PostMessage s1":     ok(same, eChat),
		"Tick":               noop,
		"Tick +11d (step A)": noop,
		"Tick +31d":          ok(sExpired2, eStalled, eStalled, eExpired),
	},
	"PAUSED": {
		"Resume":             ok(sStarted, eStarted),
		"Cancel":             ok(sCanceled, eCancelled),
		"Expire +31d":        ok(sExpired, eExpired),
		"Update":             noop,
		"UpdateStep A due":   noop,
		"UpdateStep B":       ok("PAUSED #0:STARTED(s1:WA s2:WA) #2:WFP(a1:WP n2:WP)"),
		"RemindOpen":         noop,
		"PostMessage s1":     ok(same, eChat),
		"CanDelete":          noop,
		"Tick":               noop,
		"Tick +11d (step A)": noop,
		"Tick +31d":          ok(sExpired, eExpired),
	},
	"PAUSED2": {
		"Resume":             ok(sStep2, eStarted),
		"Cancel":             ok(sCanceled2, eCancelled),
		"Expire +31d":        ok(sExpired2, eExpired),
		"Update":             noop,
		"RemindOpen":         noop,
		"PostMessage s1":     ok(same, eChat),
		"CanDelete":          noop,
		"Tick":               noop,
		"Tick +11d (step A)": noop,
		"Tick +31d":          ok(sExpired2, eExpired),
	},
}

// endedOps are what an ended process (COMPLETED, DECLINED, CANCELED, EXPIRED)
// still allows; everything else is a conflict.
var endedOps = map[string]outcome{
	"RemindOpen": noop, "CanDelete": noop, "Tick": noop, "Tick +11d (step A)": noop, "Tick +31d": noop,
}

// allStates are outcomes that do not depend on the state: lookups and input
// checks come first.
var allStates = map[string]outcome{
	"Sign nobody":        {code: countersign.ENOTFOUND},
	"UpdateStep nowhere": {code: countersign.ENOTFOUND},
	"Decline s1 bogus":   {code: countersign.EINVALID},
}

// expect returns the outcome of op in state.
func expect(state, op string) outcome {
	if o, ok := allStates[op]; ok {
		return o
	}
	if ProcessStatus(state).Ended() {
		if o, ok := endedOps[op]; ok {
			return o
		}
		return conflictO
	}
	if o, ok := table[state][op]; ok {
		return o
	}
	return conflictO
}

// conflictRE is the shape of a conflict message: it names the current state.
var conflictRE = regexp.MustCompile(`^(process|step|signer) is [A-Z_]+[;, ]`)

func TestTransitions(t *testing.T) {
	for state := range table {
		for op := range table[state] {
			if _, ok := ops[op]; !ok {
				t.Fatalf("table names unknown op %q", op)
			}
		}
	}
	for _, state := range states {
		for name, op := range ops {
			t.Run(state+"/"+name, func(t *testing.T) {
				f := build(t, state)
				if got := summary(f.p); got != stateSummary[state] {
					t.Fatalf("built %s as %s", state, got)
				}
				before := deepCopy(t, f.p)
				want := expect(state, name)
				evs, err := op(f)
				if want.code != "" {
					assertCode(t, err, want.code)
					if evs != nil {
						t.Errorf("failed transition returned events %v", types(evs))
					}
					if !reflect.DeepEqual(f.p, before) {
						t.Errorf("failed transition changed the process:\nbefore %+v\n after %+v", before, f.p)
					}
					if want.code == countersign.ECONFLICT && !conflictRE.MatchString(countersign.AsError(err).Message) {
						t.Errorf("conflict message %q does not name the state", countersign.AsError(err).Message)
					}
					return
				}
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				assertTypes(t, evs, want.evs...)
				wantSummary := want.want
				if wantSummary == same {
					wantSummary = stateSummary[state]
				}
				if got := summary(f.p); got != wantSummary {
					t.Errorf("state:\n got %s\nwant %s", got, wantSummary)
				}
			})
		}
	}
}

// Every transaction event carries the process as it is after the transition,
// and every transition that changed something moved updatedAt to its time.
func TestTransitionSnapshots(t *testing.T) {
	f := build(t, "STEP2")
	evs, err := f.p.Approve(f.id("a1"), at(opTime))
	if err != nil {
		t.Fatal(err)
	}
	d := txData(t, evs[1])
	if !reflect.DeepEqual(d.Process, f.p.Payload()) {
		t.Errorf("completed event carries\n%+v\nwant\n%+v", d.Process, f.p.Payload())
	}
	if !f.p.UpdatedAt.Equal(at(opTime)) || d.Process.UpdatedAt != at(opTime) {
		t.Errorf("updatedAt = %v", f.p.UpdatedAt)
	}
	if f.p.CompletedAt == nil || !f.p.CompletedAt.Equal(at(opTime)) {
		t.Errorf("completedAt = %v", f.p.CompletedAt)
	}
	if got := *f.p.StartedAt; !got.Equal(at(time.Minute)) {
		t.Errorf("startedAt = %v", got)
	}
}
