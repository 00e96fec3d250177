package events

import "time"

// Process is a signing process as the API and the transaction.* events show it:
// the SigningProcess schema, camelCase, so existing clients of that schema work.
type Process struct {
	ID                    string    `json:"id"`
	CreatedAt             time.Time `json:"createdAt"`
	SigningProcessSteps   []Step    `json:"signingProcessSteps"`
	ProcessInitiatorEmail string    `json:"processInitiatorEmail,omitempty"`
	DocumentID            string    `json:"documentId,omitempty"`
	DocumentName          string    `json:"documentName,omitempty"`
	Initiator             string    `json:"initiator,omitempty"`
	Comment               string    `json:"comment,omitempty"`
	Canceled              bool      `json:"canceled"`
	// Status is one of ProcessStatuses.
	Status                string     `json:"status"`
	DocumentType          string     `json:"documentType,omitempty"`
	OwnerGroup            string     `json:"ownerGroup,omitempty"`
	CompletedAt           *time.Time `json:"completedAt"`
	InitiatorName         string     `json:"initiatorName,omitempty"`
	TotalSigners          int        `json:"totalSigners"`
	TotalSigned           int        `json:"totalSigned"`
	Signers               []Signer   `json:"signers"`
	CurrentInProgressStep *Step      `json:"currentInProgressStep"`
	// Countersign's additions to the SigningProcess schema.
	StartedAt *time.Time `json:"startedAt,omitempty"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	UpdatedAt time.Time  `json:"updatedAt"`
}

// Step is one step of a process (SigningProcessStep). Steps with the
// same ProcessOrder run in parallel.
type Step struct {
	ID           string `json:"id"`
	ProcessOrder int    `json:"processOrder"`
	// StepStatus is one of StepStatuses.
	StepStatus         string     `json:"stepStatus"`
	DueDate            *time.Time `json:"dueDate"`
	ProcessStepSigners []Signer   `json:"processStepSigners"`
	// WaitingPeriodEndsAt, when set, is the time before which the step's signers cannot act.
	WaitingPeriodEndsAt *time.Time `json:"waitingPeriodEndsAt,omitempty"`
}

// Signer is one participant of a step (ProcessStepSigner).
type Signer struct {
	ID                 string `json:"id"`
	SignerName         string `json:"signerName,omitempty"`
	SignerCountry      string `json:"signerCountry,omitempty"`
	SignerPersonalCode string `json:"signerPersonalCode,omitempty"`
	SignerEmail        string `json:"signerEmail,omitempty"`
	// SignerRole is one of SignerRoles.
	SignerRole       string `json:"signerRole"`
	SignerComment    string `json:"signerComment,omitempty"`
	CommentForSigner string `json:"commentForSigner,omitempty"`
	// SigningStatus is one of SigningStatuses.
	SigningStatus      string `json:"signingStatus"`
	SignerNotification bool   `json:"signerNotification"`
	SignerLanguage     string `json:"signerLanguage,omitempty"`
	Anonymous          bool   `json:"anonymous"`
	// ActedAt is when the signer signed, approved, viewed or declined.
	ActedAt *time.Time `json:"actedAt,omitempty"`
}

// TransactionData is the payload of every transaction.lifecycle.* event: the
// process as it is after the change.
type TransactionData struct {
	Process Process `json:"process"`
	// Reason says why a process ended without completing, as a code: "canceled",
	// "expires_at_passed", "due_date_passed", or the declining signer's stall reason.
	Reason string `json:"reason,omitempty"`
}

// ActionData is the payload of every action.* event: one participant's action.
type ActionData struct {
	ProcessID    string `json:"processId"`
	DocumentID   string `json:"documentId,omitempty"`
	StepID       string `json:"stepId"`
	ProcessOrder int    `json:"processOrder"`
	Signer       Signer `json:"signer"`
	// Action is what closed the action on action.closed: one of ClosingActions
	// (SIGNED, APPROVED, VIEWED).
	Action string `json:"action,omitempty"`
	// StallReason is set on action.stalled.
	StallReason StallReason `json:"stallReason,omitempty"`
	// WaitingPeriodEndsAt is set on action.waitingperiod.* events.
	WaitingPeriodEndsAt *time.Time `json:"waitingPeriodEndsAt,omitempty"`
}

// ChatMessageData is the payload of transaction.chat.message.received.
type ChatMessageData struct {
	ID        string    `json:"id"`
	ProcessID string    `json:"processId"`
	SignerID  string    `json:"signerId"`
	Message   string    `json:"message"`
	CreatedAt time.Time `json:"createdAt"`
}

// IdentityValidationData is the payload of identity-validation.processed.
type IdentityValidationData struct {
	ProcessID string `json:"processId,omitempty"`
	SignerID  string `json:"signerId"`
	Country   string `json:"country"`
	// VerificationStatus is one of VerificationStatuses ("success" or "failure").
	VerificationStatus string `json:"verificationStatus"`
	Reason             string `json:"reason,omitempty"`
}
