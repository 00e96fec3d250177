package workflow

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// The fixture's clock: created at t0, started a minute later, deadlines days out.
var (
	t0     = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tActor = countersign.Actor{WorkspaceID: "wsp_test", APIKeyID: "key_test"}
)

const (
	day        = 24 * time.Hour
	waitEnd    = 2 * time.Hour // the waiting period of step #0, when the fixture has one
	dueA       = 10 * day      // step #0's dueDate
	dueB       = 20 * day      // step #1's dueDate
	expiry     = 30 * day      // the process's expiresAt
	opTime     = 30 * time.Minute
	afterWait  = 3 * time.Hour
	afterDueA  = 11 * day
	afterExpir = 31 * day
)

// at returns t0 + d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// tp returns a pointer to t0 + d.
func tp(d time.Duration) *time.Time { t := at(d); return &t }

// fixtureInput is the process of most tests: step #0 has two SIGNERs in
// parallel (s1, s2), step #1 an APPROVER (a1) and a VIEWER (v1). Signer names
// are their handles, so summaries can name them. With waiting, step #0 has a
// waiting period until t0+2h.
func fixtureInput(waiting bool) ProcessInput {
	in := ProcessInput{
		ProcessInitiatorEmail: "jane@example.com",
		DocumentID:            "doc-1",
		DocumentName:          "Lease.pdf",
		Initiator:             "jdoe",
		InitiatorName:         "Jane Doe",
		Comment:               "Please sign by Friday",
		DocumentType:          "CONTRACT",
		OwnerGroup:            "group-a",
		ExpiresAt:             tp(expiry),
		SigningProcessSteps: []StepInput{
			{ProcessOrder: 0, DueDate: tp(dueA), ProcessStepSigners: []SignerInput{
				{SignerName: "s1", SignerRole: RoleSigner, SignerCountry: "lv", SignerPersonalCode: "161175-19997",
					SignerEmail: "s1@example.com", SignerNotification: true, SignerLanguage: "lv"},
				{SignerName: "s2", SignerRole: RoleSigner, SignerCountry: "LT", SignerPersonalCode: "33309240064"},
			}},
			{ProcessOrder: 1, DueDate: tp(dueB), ProcessStepSigners: []SignerInput{
				{SignerName: "a1", SignerRole: RoleApprover, SignerCountry: "EE", SignerPersonalCode: "36805280109",
					CommentForSigner: "Check clause 4"},
				{SignerName: "v1", SignerRole: RoleViewer, SignerEmail: "v1@example.com"},
			}},
		},
	}
	if waiting {
		in.SigningProcessSteps[0].WaitingPeriodEndsAt = tp(waitEnd)
	}
	return in
}

// fixture is a process built from fixtureInput and driven to a named state.
type fixture struct {
	p            *Process
	stepA, stepB string // the ids of steps #0 and #1
	ids          map[string]string
}

// id returns the id of the signer named name.
func (f *fixture) id(name string) string { return f.ids[name] }

// states are the starting states of the transition table, built by build.
var states = []string{
	"PENDING", "STARTED", "WAITING", "STEP2", "PAUSED", "PAUSED2",
	"COMPLETED", "DECLINED", "CANCELED", "EXPIRED",
}

// build returns the fixture in state:
//
//	PENDING   created
//	STARTED   started: s1 and s2 can sign
//	WAITING   the fixture with a waiting period, started: nobody can act until t0+2h
//	STEP2     STARTED, s1 and s2 signed: a1 and v1 can act
//	PAUSED    STARTED, paused
//	PAUSED2   STEP2, paused
//	COMPLETED STEP2, a1 approved (v1 never viewed)
//	DECLINED  STARTED, s1 declined
//	CANCELED  STARTED, canceled
//	EXPIRED   STARTED, expired at t0+31d
func build(t *testing.T, state string) *fixture {
	t.Helper()
	f := newFixture(t, state == "WAITING")
	p := f.p
	steps := map[string][]func() ([]Emitted, error){
		"PENDING":   nil,
		"STARTED":   {f.start},
		"WAITING":   {f.start},
		"STEP2":     {f.start, f.sign("s1"), f.sign("s2")},
		"PAUSED":    {f.start, func() ([]Emitted, error) { return p.Pause(at(10 * time.Minute)) }},
		"PAUSED2":   {f.start, f.sign("s1"), f.sign("s2"), func() ([]Emitted, error) { return p.Pause(at(10 * time.Minute)) }},
		"COMPLETED": {f.start, f.sign("s1"), f.sign("s2"), func() ([]Emitted, error) { return p.Approve(f.id("a1"), at(7*time.Minute)) }},
		"DECLINED": {f.start, func() ([]Emitted, error) {
			return p.Decline(f.id("s1"), events.StallSignatureRefusal, at(5*time.Minute))
		}},
		"CANCELED": {f.start, func() ([]Emitted, error) { return p.Cancel(at(5 * time.Minute)) }},
		"EXPIRED":  {f.start, func() ([]Emitted, error) { return p.Expire(at(afterExpir)) }},
	}
	ops, ok := steps[state]
	if !ok {
		t.Fatalf("no state %q", state)
	}
	for _, op := range ops {
		if _, err := op(); err != nil {
			t.Fatalf("building %s: %v", state, err)
		}
	}
	return f
}

// newFixture creates the fixture's process at t0.
func newFixture(t *testing.T, waiting bool) *fixture {
	t.Helper()
	p, evs, err := NewProcess(fixtureInput(waiting), tActor, t0)
	if err != nil {
		t.Fatalf("NewProcess: %v", err)
	}
	assertTypes(t, evs, events.TransactionCreated)
	f := &fixture{p: p, stepA: p.Steps[0].ID, stepB: p.Steps[1].ID, ids: map[string]string{}}
	for _, sg := range p.Signers() {
		f.ids[sg.Name] = sg.ID
	}
	return f
}

func (f *fixture) start() ([]Emitted, error) { return f.p.Start(at(time.Minute)) }

func (f *fixture) sign(name string) func() ([]Emitted, error) {
	return func() ([]Emitted, error) { return f.p.Sign(f.id(name), at(5*time.Minute)) }
}

// Abbreviations of summary: WP WAITING_FOR_PROCESS, WA WAITING_FOR_ACTION, WFP
// WAITING_FOR_PREVIOUS; a "~" after a step's status means its waiting period is set.
var abbrev = map[string]string{
	string(SigningWaitingForProcess): "WP", string(SigningWaitingForAction): "WA",
	string(StepWaitingForPrevious): "WFP",
}

func short(s string) string {
	if a, ok := abbrev[s]; ok {
		return a
	}
	return s
}

// summary renders the state of p in one line:
// "STARTED #0:STARTED(s1:WA s2:WA) #1:WFP(a1:WP v1:WP)".
func summary(p *Process) string {
	var b strings.Builder
	b.WriteString(string(p.Status))
	for _, st := range p.Steps {
		wp := ""
		if st.WaitingPeriodEndsAt != nil {
			wp = "~"
		}
		fmt.Fprintf(&b, " #%d:%s%s(", st.ProcessOrder, short(string(st.Status)), wp)
		for i, sg := range st.Signers {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%s:%s", sg.Name, short(string(sg.Status)))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// types returns the types of evs.
func types(evs []Emitted) []events.Type {
	out := []events.Type{}
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

// assertTypes fails unless evs have exactly the types want, in order, and each
// carries the payload struct of its type.
func assertTypes(t *testing.T, evs []Emitted, want ...events.Type) {
	t.Helper()
	if want == nil {
		want = []events.Type{}
	}
	if got := types(evs); !reflect.DeepEqual(got, want) {
		t.Fatalf("events:\n got %v\nwant %v", got, want)
	}
	for _, e := range evs {
		checkData(t, e)
	}
}

// checkData fails unless e.Data is the payload struct of e.Type.
func checkData(t *testing.T, e Emitted) {
	t.Helper()
	var ok bool
	switch s := string(e.Type); {
	case strings.HasPrefix(s, "transaction.lifecycle."):
		_, ok = e.Data.(events.TransactionData)
	case e.Type == events.ChatMessageReceived:
		_, ok = e.Data.(events.ChatMessageData)
	case strings.HasPrefix(s, "action."):
		_, ok = e.Data.(events.ActionData)
	case e.Type == events.IdentityValidationProcessed:
		_, ok = e.Data.(events.IdentityValidationData)
	case strings.HasPrefix(s, "registration."):
		_, ok = e.Data.(events.RegistrationData)
	}
	if !ok || !events.Known(e.Type) {
		t.Fatalf("event %s carries %T", e.Type, e.Data)
	}
}

// deepCopy copies p through JSON, independently of Clone, so a test comparing
// before and after does not trust the code under test to copy.
func deepCopy(t *testing.T, p *Process) *Process {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var c Process
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// assertCode fails unless err carries code.
func assertCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := countersign.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// assertField fails unless err is a countersign.Error of code about field.
func assertField(t *testing.T, err error, code, field string) {
	t.Helper()
	assertCode(t, err, code)
	if e := countersign.AsError(err); e.Field != field {
		t.Fatalf("field = %q (%v), want %q", e.Field, err, field)
	}
}

// actionData returns the ActionData of e.
func actionData(t *testing.T, e Emitted) events.ActionData {
	t.Helper()
	d, ok := e.Data.(events.ActionData)
	if !ok {
		t.Fatalf("%s carries %T", e.Type, e.Data)
	}
	return d
}

// txData returns the TransactionData of e.
func txData(t *testing.T, e Emitted) events.TransactionData {
	t.Helper()
	d, ok := e.Data.(events.TransactionData)
	if !ok {
		t.Fatalf("%s carries %T", e.Type, e.Data)
	}
	return d
}
