package storage

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/workflow"
)

// countEmitted counts what the workflow emitted as the report would, through
// the stored envelope, as storage writes it.
func countEmitted(t *testing.T, c *events.Consumption, emitted []workflow.Emitted) {
	t.Helper()
	for _, e := range emitted {
		ev, err := events.New("evt_x", e.Type, "wsp_x", "", time.Now(), e.Data)
		if err != nil {
			t.Fatal(err)
		}
		body, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		f, _, err := factsOf(e.Type, body)
		if err != nil {
			t.Fatal(err)
		}
		count(c, e.Type, f)
	}
}

// TestReportReadsWorkflowPayloads holds the report to the payloads the state
// machine really emits: a paused and resumed process counts one start, and a
// registration's retried identity check counts twice.
func TestReportReadsWorkflowPayloads(t *testing.T) {
	now := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return now.Add(time.Duration(min) * time.Minute) }
	actor := countersign.Actor{WorkspaceID: "wsp_x", APIKeyID: "key_x"}
	p, created, err := workflow.NewProcess(workflow.ProcessInput{
		ProcessInitiatorEmail: "claire@example.com", DocumentName: "contract.pdf",
		SigningProcessSteps: []workflow.StepInput{
			{ProcessOrder: 1, ProcessStepSigners: []workflow.SignerInput{{SignerName: "Mari", SignerEmail: "mari@example.com", SignerRole: workflow.RoleSigner}}},
			{ProcessOrder: 2, ProcessStepSigners: []workflow.SignerInput{{SignerName: "Jean", SignerEmail: "jean@example.com", SignerRole: workflow.RoleApprover},
				{SignerName: "Sofia", SignerEmail: "sofia@example.com", SignerRole: workflow.RoleViewer}}},
		},
	}, actor, now)
	if err != nil {
		t.Fatal(err)
	}
	c := events.Consumption{Identities: map[string]events.IdentityCount{}, Certificates: map[string]int{}}
	countEmitted(t, &c, created)
	signers := p.Signers()
	steps := []func() ([]workflow.Emitted, error){
		func() ([]workflow.Emitted, error) { return p.Start(at(1)) },
		func() ([]workflow.Emitted, error) { return p.Pause(at(2)) },
		func() ([]workflow.Emitted, error) { return p.Resume(at(3)) },
		func() ([]workflow.Emitted, error) { return p.Sign(signers[0].ID, at(4)) },
		func() ([]workflow.Emitted, error) { return p.View(signers[2].ID, at(5)) },
		func() ([]workflow.Emitted, error) { return p.Approve(signers[1].ID, at(6)) },
	}
	for i, step := range steps {
		emitted, err := step()
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		countEmitted(t, &c, emitted)
	}
	r, err := workflow.NewRegistration(workflow.RegistrationInput{FullName: "Mari Tamm", Email: "mari@example.com",
		Method: workflow.MethodPVID}, actor, now)
	if err != nil {
		t.Fatal(err)
	}
	for i, step := range []func() ([]workflow.Emitted, error){
		func() ([]workflow.Emitted, error) { return r.VerifyIdentity(false, at(1)) },
		func() ([]workflow.Emitted, error) { return r.VerifyIdentity(true, at(2)) },
		func() ([]workflow.Emitted, error) { return r.Complete("Mari Tamm - signature", at(3)) },
		func() ([]workflow.Emitted, error) { return r.ActivateCertificate(at(4)) },
	} {
		emitted, err := step()
		if err != nil {
			t.Fatalf("registration step %d: %v", i, err)
		}
		countEmitted(t, &c, emitted)
	}
	want := events.Consumption{
		StartedTransactions: 1, CompletedTransactions: 1, Signatures: 1, Visas: 1, ReadDocuments: 1, SignedDocuments: 1,
		Identities:   map[string]events.IdentityCount{events.MethodPVID: {Analysed: 2, Validated: 1, Rejected: 1}},
		Certificates: map[string]int{events.MethodPVID: 1},
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("consumption = %+v\nwant          %+v", c, want)
	}
}
