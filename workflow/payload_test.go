package workflow

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/internal/golden"
)

// fixIDs replaces the random ids of f's process by fixed ones, for golden files.
func fixIDs(f *fixture) {
	f.p.ID = "9dce9e72-6bf9-4874-8dd1-44342027dd4f"
	for i := range f.p.Steps {
		f.p.Steps[i].ID = fmt.Sprintf("00000000-0000-4000-8000-0000000000%d0", i)
		for j := range f.p.Steps[i].Signers {
			f.p.Steps[i].Signers[j].ID = fmt.Sprintf("00000000-0000-4000-8000-0000000000%d%d", i, j+1)
		}
	}
	f.stepA, f.stepB = f.p.Steps[0].ID, f.p.Steps[1].ID
	for _, sg := range f.p.Signers() {
		f.ids[sg.Name] = sg.ID
	}
}

// checkGolden compares got, as JSON, with testdata/workflow/name, or
// rewrites the file with -update.
func checkGolden(t *testing.T, name string, got any) {
	t.Helper()
	golden.Check(t, "workflow", name, golden.JSON(t, got))
}

// The payloads of a process half way (step #1 open, v1 viewed) and of the
// action.closed that got it there, as webhook receivers see them.
func TestPayloadGolden(t *testing.T) {
	f := newFixture(t, false)
	fixIDs(f)
	must(t)(f.p.Start(at(time.Minute)))
	must(t)(f.p.Sign(f.id("s1"), at(5*time.Minute)))
	must(t)(f.p.Sign(f.id("s2"), at(6*time.Minute)))
	evs := must(t)(f.p.View(f.id("v1"), at(7*time.Minute)))
	checkGolden(t, "action_closed.json", evs[0].Data)
	evs = must(t)(f.p.Pause(at(8 * time.Minute)))
	checkGolden(t, "transaction_paused.json", evs[0].Data)
}

func TestPayloadCounters(t *testing.T) {
	f := build(t, "STEP2")
	pl := f.p.Payload()
	if pl.TotalSigners != 3 || pl.TotalSigned != 2 || pl.CurrentInProgressStep == nil ||
		pl.CurrentInProgressStep.ID != f.stepB || len(pl.Signers) != 4 || pl.Signers[2].SignerName != "a1" {
		t.Errorf("payload = %+v", pl)
	}
}

func TestClone(t *testing.T) {
	f := build(t, "STEP2")
	c := f.p.Clone()
	if !reflect.DeepEqual(c, f.p) {
		t.Fatal("clone differs")
	}
	before := deepCopy(t, f.p)
	must(t)(c.Approve(f.id("a1"), at(opTime)))
	*c.ExpiresAt = at(0)
	*c.Steps[0].Signers[0].ActedAt = at(0)
	if !reflect.DeepEqual(before, f.p) {
		t.Errorf("changing the clone changed the original")
	}
}

func TestEnums(t *testing.T) {
	counts := map[string][2]int{
		"ProcessStatus":      {len(ProcessStatuses), 7},
		"StepStatus":         {len(StepStatuses), 4},
		"SigningStatus":      {len(SigningStatuses), 8},
		"SignerRole":         {len(SignerRoles), 5},
		"Scope":              {len(Scopes), 4},
		"AuditType":          {len(AuditTypes), 31},
		"RegistrationStatus": {len(RegistrationStatuses), 8},
	}
	for name, c := range counts {
		if c[0] != c[1] {
			t.Errorf("%d %s values, want %d", c[0], name, c[1])
		}
	}
	valid := []bool{
		ProcessStatus("PAUSED").Valid(), StepStatus("CANCELED").Valid(), SigningStatus("VIEWED").Valid(),
		SignerRole("ADMINISTRATOR").Valid(), Scope("ALL").Valid(), AuditType("AUTH_START").Valid(),
		AuditType("DOCUMENT_ADDVERSION").Valid(), RegistrationStatus("CERTIFICATE_ACTIVE").Valid(),
	}
	invalid := []bool{
		ProcessStatus("paused").Valid(), StepStatus("").Valid(), SigningStatus("SIGN").Valid(),
		SignerRole("OWNER").Valid(), Scope("NONE").Valid(), AuditType("LOGIN").Valid(),
		RegistrationStatus("DONE").Valid(), RegistrationMethod("sms").Valid(),
	}
	for i := range valid {
		if !valid[i] || invalid[i] {
			t.Errorf("Valid check %d wrong", i)
		}
	}
	for _, s := range events.StallReasons {
		if !s.Valid() {
			t.Errorf("stall reason %s invalid", s)
		}
	}
}
