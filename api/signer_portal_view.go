package api

import (
	"time"

	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/workflow"
)

// SignerTask is one task of a person in the signer portal: their signer entry
// with its step and process. It shows no other signer.
type SignerTask struct {
	ProcessID     string     `json:"processId"`
	DocumentID    string     `json:"documentId,omitempty"`
	DocumentName  string     `json:"documentName,omitempty"`
	DocumentType  string     `json:"documentType,omitempty"`
	InitiatorName string     `json:"initiatorName,omitempty"`
	ProcessStatus string     `json:"processStatus"`
	CreatedAt     time.Time  `json:"createdAt"`
	ExpiresAt     *time.Time `json:"expiresAt,omitempty"`
	StepID        string     `json:"stepId"`
	ProcessOrder  int        `json:"processOrder"`
	StepStatus    string     `json:"stepStatus"`
	DueDate       *time.Time `json:"dueDate"`
	// WaitingPeriodEndsAt, when set, is the time before which the signer cannot act.
	WaitingPeriodEndsAt *time.Time    `json:"waitingPeriodEndsAt,omitempty"`
	Signer              events.Signer `json:"signer"`
	// CanAct says whether the signer can sign, approve or view right now.
	CanAct bool `json:"canAct"`
}

// SignerStep is one step a person signs in, with their own signer entry only.
type SignerStep struct {
	ProcessID     string      `json:"processId"`
	DocumentID    string      `json:"documentId,omitempty"`
	DocumentName  string      `json:"documentName,omitempty"`
	ProcessStatus string      `json:"processStatus"`
	Step          events.Step `json:"step"`
}

// SignerDocument is one document a person signs: one per process.
type SignerDocument struct {
	DocumentID    string     `json:"documentId,omitempty"`
	DocumentName  string     `json:"documentName,omitempty"`
	DocumentType  string     `json:"documentType,omitempty"`
	ProcessID     string     `json:"processId"`
	ProcessStatus string     `json:"processStatus"`
	CreatedAt     time.Time  `json:"createdAt"`
	CompletedAt   *time.Time `json:"completedAt"`
	SignerID      string     `json:"signerId"`
	SigningStatus string     `json:"signingStatus"`
}

// ownStep returns the step of signer signerID in p, showing only that signer.
func ownStep(p *workflow.Process, signerID string) events.Step {
	for _, st := range p.Steps {
		for _, sg := range st.Signers {
			if sg.ID == signerID {
				out := st.Payload()
				out.ProcessStepSigners = []events.Signer{sg.Payload()}
				return out
			}
		}
	}
	return events.Step{ProcessStepSigners: []events.Signer{}}
}

// signerTask is the task view of an assignment at now.
func signerTask(a workflow.Assignment, now time.Time) SignerTask {
	p := a.Process
	st := ownStep(p, a.SignerID)
	t := SignerTask{ProcessID: p.ID, DocumentID: p.DocumentID, DocumentName: p.DocumentName,
		DocumentType: p.DocumentType, InitiatorName: p.InitiatorName, ProcessStatus: string(p.Status),
		CreatedAt: p.CreatedAt, ExpiresAt: p.ExpiresAt, StepID: st.ID, ProcessOrder: st.ProcessOrder,
		StepStatus: st.StepStatus, DueDate: st.DueDate, WaitingPeriodEndsAt: st.WaitingPeriodEndsAt,
		CanAct: p.CanAct(a.SignerID, now)}
	if len(st.ProcessStepSigners) == 1 {
		t.Signer = st.ProcessStepSigners[0]
	}
	return t
}

// signerStep is the step view of an assignment.
func signerStep(a workflow.Assignment) SignerStep {
	p := a.Process
	return SignerStep{ProcessID: p.ID, DocumentID: p.DocumentID, DocumentName: p.DocumentName,
		ProcessStatus: string(p.Status), Step: ownStep(p, a.SignerID)}
}

// signerDocument is the document view of an assignment.
func signerDocument(a workflow.Assignment) SignerDocument {
	p := a.Process
	sg, _ := p.Signer(a.SignerID)
	return SignerDocument{DocumentID: p.DocumentID, DocumentName: p.DocumentName, DocumentType: p.DocumentType,
		ProcessID: p.ID, ProcessStatus: string(p.Status), CreatedAt: p.CreatedAt, CompletedAt: p.CompletedAt,
		SignerID: a.SignerID, SigningStatus: string(sg.Status)}
}
