package storage

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/countersign/countersign/workflow"
)

// processDocVersion is the shape of processDoc; a change that old rows cannot
// be read with bumps it, and load converts older shapes.
const processDocVersion = 1

// processDoc is the stored form of a workflow.Process, the body column of the
// processes table. It is owned by storage, not workflow, so the workflow types
// can change without silently changing what is on disk; the round-trip test
// fills every field of workflow.Process and checks it comes back equal.
type processDoc struct {
	V                     int        `json:"v"`
	ID                    string     `json:"id"`
	WorkspaceID           string     `json:"workspaceId"`
	APIKeyID              string     `json:"apiKeyId"`
	Status                string     `json:"status"`
	ProcessInitiatorEmail string     `json:"processInitiatorEmail"`
	DocumentID            string     `json:"documentId"`
	DocumentName          string     `json:"documentName"`
	Initiator             string     `json:"initiator"`
	InitiatorName         string     `json:"initiatorName"`
	Comment               string     `json:"comment"`
	DocumentType          string     `json:"documentType"`
	OwnerGroup            string     `json:"ownerGroup"`
	Steps                 []stepDoc  `json:"steps"`
	CreatedAt             time.Time  `json:"createdAt"`
	UpdatedAt             time.Time  `json:"updatedAt"`
	StartedAt             *time.Time `json:"startedAt"`
	CompletedAt           *time.Time `json:"completedAt"`
	ExpiresAt             *time.Time `json:"expiresAt"`
	MessagesDisabled      bool       `json:"messagesDisabled,omitempty"`
	ReminderEveryDays     int        `json:"reminderEveryDays,omitempty"`
	ReminderDaysBeforeDue int        `json:"reminderDaysBeforeDue,omitempty"`
}

// stepDoc is the stored form of a workflow.Step.
type stepDoc struct {
	ID                  string      `json:"id"`
	ProcessOrder        int         `json:"processOrder"`
	Status              string      `json:"status"`
	DueDate             *time.Time  `json:"dueDate"`
	WaitingPeriodEndsAt *time.Time  `json:"waitingPeriodEndsAt"`
	Signers             []signerDoc `json:"signers"`
}

// signerDoc is the stored form of a workflow.Signer.
type signerDoc struct {
	ID               string     `json:"id"`
	Name             string     `json:"name"`
	Country          string     `json:"country"`
	PersonalCode     string     `json:"personalCode"`
	Email            string     `json:"email"`
	Role             string     `json:"role"`
	Comment          string     `json:"comment"`
	CommentForSigner string     `json:"commentForSigner"`
	Status           string     `json:"status"`
	Notification     bool       `json:"notification"`
	Language         string     `json:"language"`
	Anonymous        bool       `json:"anonymous"`
	ActedAt          *time.Time `json:"actedAt"`
	Reminders        int        `json:"reminders"`
	OpenedAt         *time.Time `json:"openedAt,omitempty"`
	RemindedAt       *time.Time `json:"remindedAt,omitempty"`
}

// utc returns t in UTC, so stored times read back identical.
func utc(t time.Time) time.Time { return t.UTC() }

// utcPtr is utc for an optional time.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// encodeProcess returns the body column of p.
func encodeProcess(p *workflow.Process) (string, error) {
	d := processDoc{
		V: processDocVersion, ID: p.ID, WorkspaceID: p.WorkspaceID, APIKeyID: p.APIKeyID, Status: string(p.Status),
		ProcessInitiatorEmail: p.ProcessInitiatorEmail, DocumentID: p.DocumentID, DocumentName: p.DocumentName,
		Initiator: p.Initiator, InitiatorName: p.InitiatorName, Comment: p.Comment,
		DocumentType: p.DocumentType, OwnerGroup: p.OwnerGroup, Steps: make([]stepDoc, len(p.Steps)),
		CreatedAt: utc(p.CreatedAt), UpdatedAt: utc(p.UpdatedAt), StartedAt: utcPtr(p.StartedAt),
		CompletedAt: utcPtr(p.CompletedAt), ExpiresAt: utcPtr(p.ExpiresAt), MessagesDisabled: p.MessagesDisabled,
		ReminderEveryDays: p.Reminders.EveryDays, ReminderDaysBeforeDue: p.Reminders.DaysBeforeDue,
	}
	for i, st := range p.Steps {
		sd := stepDoc{ID: st.ID, ProcessOrder: st.ProcessOrder, Status: string(st.Status), DueDate: utcPtr(st.DueDate),
			WaitingPeriodEndsAt: utcPtr(st.WaitingPeriodEndsAt), Signers: make([]signerDoc, len(st.Signers))}
		for j, sg := range st.Signers {
			sd.Signers[j] = signerDoc{ID: sg.ID, Name: sg.Name, Country: sg.Country, PersonalCode: sg.PersonalCode,
				Email: sg.Email, Role: string(sg.Role), Comment: sg.Comment, CommentForSigner: sg.CommentForSigner,
				Status: string(sg.Status), Notification: sg.Notification, Language: sg.Language,
				Anonymous: sg.Anonymous, ActedAt: utcPtr(sg.ActedAt), Reminders: sg.Reminders,
				OpenedAt: utcPtr(sg.OpenedAt), RemindedAt: utcPtr(sg.RemindedAt)}
		}
		d.Steps[i] = sd
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("encode process %s: %w", p.ID, err)
	}
	return string(b), nil
}

// decodeProcess reads a body column back.
func decodeProcess(body string) (*workflow.Process, error) {
	var d processDoc
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return nil, fmt.Errorf("decode process: %w", err)
	}
	if d.V != processDocVersion {
		return nil, fmt.Errorf("decode process %s: unknown document version %d", d.ID, d.V)
	}
	p := &workflow.Process{
		ID: d.ID, WorkspaceID: d.WorkspaceID, APIKeyID: d.APIKeyID, Status: workflow.ProcessStatus(d.Status),
		ProcessInitiatorEmail: d.ProcessInitiatorEmail, DocumentID: d.DocumentID, DocumentName: d.DocumentName,
		Initiator: d.Initiator, InitiatorName: d.InitiatorName, Comment: d.Comment,
		DocumentType: d.DocumentType, OwnerGroup: d.OwnerGroup,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, StartedAt: d.StartedAt,
		CompletedAt: d.CompletedAt, ExpiresAt: d.ExpiresAt, MessagesDisabled: d.MessagesDisabled,
		Reminders: workflow.ReminderPolicy{EveryDays: d.ReminderEveryDays, DaysBeforeDue: d.ReminderDaysBeforeDue},
	}
	if len(d.Steps) > 0 {
		p.Steps = make([]workflow.Step, len(d.Steps))
	}
	for i, sd := range d.Steps {
		st := workflow.Step{ID: sd.ID, ProcessOrder: sd.ProcessOrder, Status: workflow.StepStatus(sd.Status),
			DueDate: sd.DueDate, WaitingPeriodEndsAt: sd.WaitingPeriodEndsAt}
		if len(sd.Signers) > 0 {
			st.Signers = make([]workflow.Signer, len(sd.Signers))
		}
		for j, sg := range sd.Signers {
			st.Signers[j] = workflow.Signer{ID: sg.ID, Name: sg.Name, Country: sg.Country, PersonalCode: sg.PersonalCode,
				Email: sg.Email, Role: workflow.SignerRole(sg.Role), Comment: sg.Comment,
				CommentForSigner: sg.CommentForSigner, Status: workflow.SigningStatus(sg.Status),
				Notification: sg.Notification, Language: sg.Language, Anonymous: sg.Anonymous,
				ActedAt: sg.ActedAt, Reminders: sg.Reminders, OpenedAt: sg.OpenedAt, RemindedAt: sg.RemindedAt}
		}
		p.Steps[i] = st
	}
	return p, nil
}
