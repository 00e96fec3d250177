package workflow

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

func TestNewProcess(t *testing.T) {
	p, evs, err := NewProcess(fixtureInput(false), tActor, t0)
	if err != nil {
		t.Fatal(err)
	}
	assertTypes(t, evs, events.TransactionCreated)
	if p.Status != ProcessPending || p.WorkspaceID != "wsp_test" || p.APIKeyID != "key_test" ||
		!p.CreatedAt.Equal(t0) || !p.UpdatedAt.Equal(t0) || p.StartedAt != nil || p.CompletedAt != nil {
		t.Errorf("process = %+v", p)
	}
	seen := map[string]bool{p.ID: true}
	for _, st := range p.Steps {
		seen[st.ID] = true
		for _, sg := range st.Signers {
			seen[sg.ID] = true
		}
	}
	for id := range seen {
		if !countersign.ValidUUID(id) {
			t.Errorf("id %q is not a UUID", id)
		}
	}
	if len(seen) != 7 {
		t.Errorf("%d distinct ids, want 7", len(seen))
	}
	if s1, _ := p.Signer(p.Steps[0].Signers[0].ID); s1.Country != "LV" || s1.PersonalCode != "161175-19997" {
		t.Errorf("s1 = %+v", s1)
	}
	tx := txData(t, evs[0])
	if tx.Process.ID != p.ID || tx.Process.Status != "PENDING" || tx.Process.TotalSigners != 3 ||
		tx.Process.TotalSigned != 0 || len(tx.Process.Signers) != 4 || tx.Process.CurrentInProgressStep != nil {
		t.Errorf("created payload = %+v", tx.Process)
	}
}

func TestNewProcessValidation(t *testing.T) {
	long := strings.Repeat("x", 256)
	const s0, s1 = "signingProcessSteps[0].", "signingProcessSteps[1]."
	const sg10 = s1 + "processStepSigners[0]."
	tests := []struct {
		name   string
		edit   func(in *ProcessInput)
		code   string
		field  string
		nowOff time.Duration
	}{
		{"no steps", func(in *ProcessInput) { in.SigningProcessSteps = nil }, countersign.EVALIDATION, "signingProcessSteps", 0},
		{"too many steps", func(in *ProcessInput) {
			for len(in.SigningProcessSteps) <= MaxSteps {
				in.SigningProcessSteps = append(in.SigningProcessSteps, in.SigningProcessSteps[0])
			}
		}, countersign.EVALIDATION, "signingProcessSteps", 0},
		{"negative order", func(in *ProcessInput) { in.SigningProcessSteps[1].ProcessOrder = -1 }, countersign.EVALIDATION, s1 + "processOrder", 0},
		{"no signers", func(in *ProcessInput) { in.SigningProcessSteps[0].ProcessStepSigners = nil }, countersign.EVALIDATION, s0 + "processStepSigners", 0},
		{"only a viewer", func(in *ProcessInput) {
			in.SigningProcessSteps[1].ProcessStepSigners = in.SigningProcessSteps[1].ProcessStepSigners[1:]
		}, countersign.EVALIDATION, s1 + "processStepSigners", 0},
		{"no role", func(in *ProcessInput) { in.SigningProcessSteps[1].ProcessStepSigners[0].SignerRole = "" }, countersign.EINVALID, sg10 + "signerRole", 0},
		{"unknown role", func(in *ProcessInput) { in.SigningProcessSteps[1].ProcessStepSigners[0].SignerRole = "OWNER" }, countersign.EINVALID, sg10 + "signerRole", 0},
		{"initiator", func(in *ProcessInput) { in.SigningProcessSteps[1].ProcessStepSigners[0].SignerRole = RoleInitiator }, countersign.EVALIDATION, sg10 + "signerRole", 0},
		{"administrator", func(in *ProcessInput) { in.SigningProcessSteps[1].ProcessStepSigners[0].SignerRole = RoleAdministrator }, countersign.EVALIDATION, sg10 + "signerRole", 0},
		{"country XX", func(in *ProcessInput) { in.SigningProcessSteps[1].ProcessStepSigners[0].SignerCountry = "XX" }, countersign.EINVALID, sg10 + "signerCountry", 0},
		{"country name", func(in *ProcessInput) { in.SigningProcessSteps[1].ProcessStepSigners[0].SignerCountry = "Estonia" }, countersign.EINVALID, sg10 + "signerCountry", 0},
		{"EE code check digit", func(in *ProcessInput) {
			in.SigningProcessSteps[1].ProcessStepSigners[0].SignerPersonalCode = "36805280108"
		}, countersign.EVALIDATION, sg10 + "signerPersonalCode", 0},
		{"LV code for EE", func(in *ProcessInput) {
			in.SigningProcessSteps[1].ProcessStepSigners[0].SignerPersonalCode = "161175-19997"
		}, countersign.EVALIDATION, sg10 + "signerPersonalCode", 0},
		{"code without country", func(in *ProcessInput) {
			in.SigningProcessSteps[1].ProcessStepSigners[1].SignerPersonalCode = "A B"
		}, countersign.EVALIDATION, s1 + "processStepSigners[1].signerPersonalCode", 0},
		{"code without country ok", func(in *ProcessInput) { in.SigningProcessSteps[1].ProcessStepSigners[1].SignerPersonalCode = "X-123" }, "", "", 0},
		{"email", func(in *ProcessInput) {
			in.SigningProcessSteps[1].ProcessStepSigners[0].SignerEmail = "anna.example.com"
		}, countersign.EVALIDATION, sg10 + "signerEmail", 0},
		{"email with name", func(in *ProcessInput) {
			in.SigningProcessSteps[1].ProcessStepSigners[0].SignerEmail = "Anna <anna@example.com>"
		}, countersign.EVALIDATION, sg10 + "signerEmail", 0},
		{"initiator email", func(in *ProcessInput) { in.ProcessInitiatorEmail = "jane@" }, countersign.EVALIDATION, "processInitiatorEmail", 0},
		{"language", func(in *ProcessInput) { in.SigningProcessSteps[1].ProcessStepSigners[0].SignerLanguage = "english!" }, countersign.EINVALID, sg10 + "signerLanguage", 0},
		{"signer name too long", func(in *ProcessInput) { in.SigningProcessSteps[1].ProcessStepSigners[0].SignerName = long }, countersign.EVALIDATION, sg10 + "signerName", 0},
		{"document name too long", func(in *ProcessInput) { in.DocumentName = long }, countersign.EVALIDATION, "documentName", 0},
		{"comment not UTF-8", func(in *ProcessInput) { in.Comment = "\xff" }, countersign.EINVALID, "comment", 0},
		{"due date now", func(in *ProcessInput) {}, countersign.EVALIDATION, s0 + "dueDate", dueA},
		{"waiting period past", func(in *ProcessInput) { in.SigningProcessSteps[0].WaitingPeriodEndsAt = tp(-time.Hour) }, countersign.EVALIDATION, s0 + "waitingPeriodEndsAt", 0},
		{"due before waiting end", func(in *ProcessInput) { in.SigningProcessSteps[0].WaitingPeriodEndsAt = tp(dueA) }, countersign.EVALIDATION, s0 + "dueDate", 0},
		{"expires now", func(in *ProcessInput) { in.SigningProcessSteps = in.SigningProcessSteps[:1] }, countersign.EVALIDATION, "expiresAt", expiry},
		{"ids are ignored", func(in *ProcessInput) {
			in.SigningProcessSteps[0].ID = "x"
			in.SigningProcessSteps[0].ProcessStepSigners[0].ID = "x"
		}, "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fixtureInput(false)
			tt.edit(&in)
			p, evs, err := NewProcess(in, tActor, at(tt.nowOff))
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if p.Steps[0].ID == "x" || p.Steps[0].Signers[0].ID == "x" {
					t.Errorf("input ids were kept")
				}
				return
			}
			assertField(t, err, tt.code, tt.field)
			if p != nil || evs != nil {
				t.Errorf("failed create returned %v, %v", p, evs)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	f := build(t, "PENDING")
	in := ProcessInput{DocumentName: "v2.pdf", SigningProcessSteps: []StepInput{
		{ID: f.stepB, ProcessOrder: 3, ProcessStepSigners: []SignerInput{{ID: f.id("v1"), SignerName: "v1", SignerRole: RoleSigner}}},
		{ProcessOrder: 1, ProcessStepSigners: []SignerInput{{ID: f.id("s1"), SignerName: "s1", SignerRole: RoleApprover}}},
	}}
	assertTypes(t, must(t)(f.p.Update(in, at(opTime))))
	if got := summary(f.p); got != "PENDING #1:WFP(s1:WP) #3:WFP(v1:WP)" {
		t.Fatalf("state = %s", got)
	}
	if f.p.Steps[1].ID != f.stepB || f.p.Steps[0].ID == f.stepA || f.p.Steps[0].Signers[0].ID != f.id("s1") {
		t.Errorf("ids not kept: %+v", f.p.Steps)
	}
	if f.p.DocumentName != "v2.pdf" || f.p.DocumentID != "" || f.p.ExpiresAt != nil || !f.p.UpdatedAt.Equal(at(opTime)) {
		t.Errorf("fields not replaced: %+v", f.p)
	}
}

// A failed update leaves the process exactly as it was, even when it fails on
// the last of several steps.
func TestUpdateFailureLeavesProcessUnchanged(t *testing.T) {
	tests := []struct {
		name  string
		in    func(f *fixture) ProcessInput
		code  string
		field string
	}{
		{"last step bad", func(f *fixture) ProcessInput {
			in := fixtureInput(false)
			in.SigningProcessSteps[1].ProcessStepSigners[1].SignerEmail = "nope"
			return in
		}, countersign.EVALIDATION, "signingProcessSteps[1].processStepSigners[1].signerEmail"},
		{"unknown step id", func(f *fixture) ProcessInput {
			in := fixtureInput(false)
			in.SigningProcessSteps[1].ID = countersign.NewUUID()
			return in
		}, countersign.EVALIDATION, "signingProcessSteps[1].id"},
		{"signer id twice", func(f *fixture) ProcessInput {
			in := fixtureInput(false)
			in.SigningProcessSteps[0].ProcessStepSigners[0].ID = f.id("a1")
			in.SigningProcessSteps[1].ProcessStepSigners[0].ID = f.id("a1")
			return in
		}, countersign.EVALIDATION, "signingProcessSteps[1].processStepSigners[0].id"},
		{"step id used as signer id", func(f *fixture) ProcessInput {
			in := fixtureInput(false)
			in.SigningProcessSteps[0].ProcessStepSigners[0].ID = f.stepA
			return in
		}, countersign.EVALIDATION, "signingProcessSteps[0].processStepSigners[0].id"},
		{"expires in the past", func(f *fixture) ProcessInput {
			return ProcessInput{ExpiresAt: tp(0)}
		}, countersign.EVALIDATION, "expiresAt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := build(t, "PENDING")
			before := deepCopy(t, f.p)
			_, err := f.p.Update(tt.in(f), at(opTime))
			assertField(t, err, tt.code, tt.field)
			if !reflect.DeepEqual(before, f.p) {
				t.Errorf("process changed:\nbefore %+v\n after %+v", before, f.p)
			}
		})
	}
}

func TestUpdateStep(t *testing.T) {
	signers := []SignerInput{{SignerName: "n", SignerRole: RoleSigner}}
	tests := []struct {
		name, state, step string
		in                func(f *fixture) StepInput
		code, field       string
		want              string
	}{
		{"reorders", "PENDING", "A", func(f *fixture) StepInput {
			return StepInput{ID: "ignored", ProcessOrder: 5, ProcessStepSigners: signers}
		}, "", "", "PENDING #1:WFP(a1:WP v1:WP) #5:WFP(n:WP)"},
		{"signer of another step", "PENDING", "A", func(f *fixture) StepInput {
			return StepInput{ProcessStepSigners: []SignerInput{{ID: f.id("a1"), SignerRole: RoleSigner}}}
		}, countersign.EVALIDATION, "processStepSigners[0].id", ""},
		{"bad signer", "PENDING", "B", func(f *fixture) StepInput {
			return StepInput{ProcessOrder: 1, ProcessStepSigners: []SignerInput{{SignerRole: "X"}}}
		}, countersign.EINVALID, "processStepSigners[0].signerRole", ""},
		{"paused: order already started", "PAUSED", "B", func(f *fixture) StepInput {
			return StepInput{ProcessOrder: 0, ProcessStepSigners: signers}
		}, countersign.EVALIDATION, "processOrder", ""},
		{"paused: started step order", "PAUSED", "A", func(f *fixture) StepInput {
			return StepInput{ProcessOrder: 1}
		}, countersign.ECONFLICT, "", ""},
		{"paused: started step signers", "PAUSED", "A", func(f *fixture) StepInput {
			return StepInput{ProcessStepSigners: signers}
		}, countersign.ECONFLICT, "", ""},
		{"paused: started step waiting period", "PAUSED", "A", func(f *fixture) StepInput {
			return StepInput{WaitingPeriodEndsAt: tp(day)}
		}, countersign.ECONFLICT, "", ""},
		{"paused: started step due in the past", "PAUSED", "A", func(f *fixture) StepInput {
			return StepInput{DueDate: tp(0)}
		}, countersign.EVALIDATION, "dueDate", ""},
		{"paused: started step due cleared", "PAUSED", "A", func(f *fixture) StepInput {
			return StepInput{}
		}, "", "", sPaused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := build(t, tt.state)
			id := map[string]string{"A": f.stepA, "B": f.stepB}[tt.step]
			before := deepCopy(t, f.p)
			_, err := f.p.UpdateStep(id, tt.in(f), at(opTime))
			if tt.code != "" {
				assertField(t, err, tt.code, tt.field)
				if !reflect.DeepEqual(before, f.p) {
					t.Errorf("process changed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(f.p); got != tt.want {
				t.Errorf("state = %s, want %s", got, tt.want)
			}
			if st, ok := f.p.Step(id); !ok || st.ID != id {
				t.Errorf("step id changed")
			}
		})
	}
}

func TestUpdateStepDueDate(t *testing.T) {
	f := build(t, "PAUSED")
	must(t)(f.p.UpdateStep(f.stepA, StepInput{DueDate: tp(12 * day)}, at(opTime)))
	if st, _ := f.p.Step(f.stepA); !st.DueDate.Equal(at(12 * day)) {
		t.Errorf("dueDate = %v", st.DueDate)
	}
	must(t)(f.p.Resume(at(opTime)))
	if ds := f.p.Deadlines(); !ds[0].At.Equal(at(12 * day)) {
		t.Errorf("deadline = %v", ds[0].At)
	}
}
