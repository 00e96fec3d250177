package workflow

import (
	"sort"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// Process is a signing process: the SigningProcess schema plus what Countersign
// keeps about it. Steps are kept sorted by ProcessOrder (stable), so their order
// is the order they run in; signers live in their steps only. Everything the
// wire view derives (the flat signer list, the counters, the step in progress,
// canceled) is computed by Payload, never stored, so it cannot drift.
type Process struct {
	ID          string
	WorkspaceID string
	// APIKeyID is the key that created the process.
	APIKeyID string
	Status   ProcessStatus

	ProcessInitiatorEmail string
	DocumentID            string
	DocumentName          string
	Initiator             string
	InitiatorName         string
	Comment               string
	DocumentType          string
	OwnerGroup            string

	Steps []Step

	CreatedAt time.Time
	UpdatedAt time.Time
	// StartedAt is when the process was first started (a resume does not move it).
	StartedAt *time.Time
	// CompletedAt is set when the process COMPLETED, and only then.
	CompletedAt *time.Time
	// ExpiresAt, when set, is when an unfinished process expires (see Expire).
	ExpiresAt *time.Time
	// MessagesDisabled turns the process's notification emails off: set by
	// disableMessages on create or update, or on a cancel with disableMessages.
	MessagesDisabled bool
	// Reminders is the process's automatic reminder policy (none by default).
	Reminders ReminderPolicy
}

// NewProcess validates a create request (the createProcess body) and
// returns the new PENDING process with the transaction.lifecycle.created event.
// The process, its steps and its signers get fresh UUIDs; ids in the input are
// ignored. actor supplies the workspace and the API key recorded as creator.
func NewProcess(in ProcessInput, actor countersign.Actor, now time.Time) (*Process, []Emitted, error) {
	if err := in.validateFields(now); err != nil {
		return nil, nil, err
	}
	steps, err := buildSteps(in.SigningProcessSteps, "signingProcessSteps", nil, now)
	if err != nil {
		return nil, nil, err
	}
	p := &Process{
		ID:          countersign.NewUUID(),
		WorkspaceID: actor.WorkspaceID,
		APIKeyID:    actor.APIKeyID,
		Status:      ProcessPending,
		Steps:       steps,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	p.setFields(in)
	return p, []Emitted{p.transaction(events.TransactionCreated, "")}, nil
}

// setFields copies the editable fields of in onto p.
func (p *Process) setFields(in ProcessInput) {
	p.ProcessInitiatorEmail = in.ProcessInitiatorEmail
	p.DocumentID = in.DocumentID
	p.DocumentName = in.DocumentName
	p.Initiator = in.Initiator
	p.InitiatorName = in.InitiatorName
	p.Comment = in.Comment
	p.DocumentType = in.DocumentType
	p.OwnerGroup = in.OwnerGroup
	p.ExpiresAt = clonePtr(in.ExpiresAt)
	p.MessagesDisabled = in.DisableMessages
	p.Reminders = in.reminderPolicy()
}

// sortSteps keeps p.Steps in processOrder order, parallel steps as given.
func sortSteps(steps []Step) {
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].ProcessOrder < steps[j].ProcessOrder })
}

// Payload returns the process as the API and the transaction.* events show it.
// Signers is the flat list of every step's signers in step order;
// CurrentInProgressStep is the lowest-order STARTED step, or nil; TotalSigners
// counts the signers who must act (every role but VIEWER) and TotalSigned those
// of them who SIGNED or APPROVED.
func (p *Process) Payload() events.Process {
	out := events.Process{
		ID:                    p.ID,
		CreatedAt:             p.CreatedAt,
		SigningProcessSteps:   make([]events.Step, len(p.Steps)),
		ProcessInitiatorEmail: p.ProcessInitiatorEmail,
		DocumentID:            p.DocumentID,
		DocumentName:          p.DocumentName,
		Initiator:             p.Initiator,
		Comment:               p.Comment,
		Canceled:              p.Status == ProcessCanceled,
		Status:                string(p.Status),
		DocumentType:          p.DocumentType,
		OwnerGroup:            p.OwnerGroup,
		CompletedAt:           clonePtr(p.CompletedAt),
		InitiatorName:         p.InitiatorName,
		Signers:               []events.Signer{},
		StartedAt:             clonePtr(p.StartedAt),
		ExpiresAt:             clonePtr(p.ExpiresAt),
		UpdatedAt:             p.UpdatedAt,
	}
	for i := range p.Steps {
		st := &p.Steps[i]
		out.SigningProcessSteps[i] = st.Payload()
		if st.Status == StepStarted && out.CurrentInProgressStep == nil {
			cur := st.Payload()
			out.CurrentInProgressStep = &cur
		}
		for j := range st.Signers {
			sg := &st.Signers[j]
			out.Signers = append(out.Signers, sg.Payload())
			if sg.Role.MustAct() {
				out.TotalSigners++
				if sg.Status.Done() {
					out.TotalSigned++
				}
			}
		}
	}
	return out
}

// Signers returns a copy of every signer of the process, in step order.
func (p *Process) Signers() []Signer {
	var out []Signer
	for i := range p.Steps {
		for j := range p.Steps[i].Signers {
			out = append(out, p.Steps[i].Signers[j].clone())
		}
	}
	return out
}

// Signer returns a copy of the signer with the given id and whether there is one.
func (p *Process) Signer(id string) (Signer, bool) {
	st, sg := p.findSigner(id)
	if st == nil {
		return Signer{}, false
	}
	return sg.clone(), true
}

// Step returns a copy of the step with the given id and whether there is one.
func (p *Process) Step(id string) (Step, bool) {
	st := p.findStep(id)
	if st == nil {
		return Step{}, false
	}
	return st.clone(), true
}

// findStep returns the step with the given id, or nil.
func (p *Process) findStep(id string) *Step {
	for i := range p.Steps {
		if p.Steps[i].ID == id {
			return &p.Steps[i]
		}
	}
	return nil
}

// findSigner returns the signer with the given id and its step, or nils.
func (p *Process) findSigner(id string) (*Step, *Signer) {
	for i := range p.Steps {
		for j := range p.Steps[i].Signers {
			if p.Steps[i].Signers[j].ID == id {
				return &p.Steps[i], &p.Steps[i].Signers[j]
			}
		}
	}
	return nil, nil
}

// Clone returns a deep copy of p: changing one never changes the other.
func (p *Process) Clone() *Process {
	c := *p
	c.Steps = make([]Step, len(p.Steps))
	for i := range p.Steps {
		c.Steps[i] = p.Steps[i].clone()
	}
	c.StartedAt = clonePtr(p.StartedAt)
	c.CompletedAt = clonePtr(p.CompletedAt)
	c.ExpiresAt = clonePtr(p.ExpiresAt)
	return &c
}

// transaction returns a transaction.* event of type t carrying p as it is now.
func (p *Process) transaction(t events.Type, reason string) Emitted {
	return Emitted{Type: t, Data: events.TransactionData{Process: p.Payload(), Reason: reason}}
}

// action returns the payload of an action.* event about signer sg of step st.
func (p *Process) action(st *Step, sg *Signer) events.ActionData {
	return events.ActionData{
		ProcessID:    p.ID,
		DocumentID:   p.DocumentID,
		StepID:       st.ID,
		ProcessOrder: st.ProcessOrder,
		Signer:       sg.Payload(),
	}
}
