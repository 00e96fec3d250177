// Package events is the vocabulary of what happens in Countersign: the event
// types, one payload struct per type, the envelope every event travels in, and
// the catalogue (name, description, JSON Schema) served to integrators.
//
// It imports nothing internal: every other package may depend on it.
package events

import "slices"

// Type names an event type, dotted (transaction.lifecycle.started).
type Type string

// The common e-signature event types.
const (
	APIKeyCreated Type = "apikey.created"
	APIKeyUpdated Type = "apikey.updated"
	APIKeyDeleted Type = "apikey.deleted"

	TransactionCreated   Type = "transaction.lifecycle.created"
	TransactionStarted   Type = "transaction.lifecycle.started"
	TransactionPaused    Type = "transaction.lifecycle.paused"
	TransactionCancelled Type = "transaction.lifecycle.cancelled"
	TransactionExpired   Type = "transaction.lifecycle.expired"
	TransactionCompleted Type = "transaction.lifecycle.completed"
	ChatMessageReceived  Type = "transaction.chat.message.received"

	ActionOpened              Type = "action.opened"
	ActionClosed              Type = "action.closed"
	ActionStalled             Type = "action.stalled"
	ActionManualReminderSent  Type = "action.manualreminder.sent"
	ActionReminderSent        Type = "action.reminder.sent"
	ActionWaitingPeriodCancel Type = "action.waitingperiod.cancelled"
	ActionWaitingPeriodEnded  Type = "action.waitingperiod.ended"

	IdentityValidationProcessed Type = "identity-validation.processed"

	RegistrationIdentityVerified     Type = "registration.identity.verified"
	RegistrationIdentityRejected     Type = "registration.identity.rejected"
	RegistrationLifecycleRejected    Type = "registration.lifecycle.rejected"
	RegistrationLifecycleExpired     Type = "registration.lifecycle.expired"
	RegistrationLifecycleCompleted   Type = "registration.lifecycle.completed"
	RegistrationCertificateActivated Type = "registration.certificate.activated"
)

// Countersign's own event types, beyond the common ones.
const (
	// TransactionDeclined is emitted when a signer declines, which ends the process as DECLINED.
	TransactionDeclined Type = "transaction.lifecycle.declined"
	// EndpointDisabled is emitted when a webhook endpoint is disabled after failing
	// continuously or answering 410 Gone.
	EndpointDisabled Type = "endpoint.disabled"
	// WebhookTest is sent to one endpoint on request (testWebhookEndpoint).
	WebhookTest Type = "webhook.test"
	// MessageSent is emitted when the mail server accepted a notification email.
	MessageSent Type = "message.sent"
	// MessageFailed is emitted when a notification email was refused for good
	// (SMTP 5xx) or ran out of attempts.
	MessageFailed Type = "message.failed"
)

// StallReason says why a participant's action stalled.
type StallReason string

// The stall reasons a decline gives, plus due_date_passed for a step whose due date passed.
const (
	StallActionRefusal                    StallReason = "action_refusal"
	StallSignatureRefusal                 StallReason = "signature_refusal"
	StallConsultationRefusal              StallReason = "consultation_refusal"
	StallReviewRefusal                    StallReason = "review_refusal"
	StallUploadRefusal                    StallReason = "upload_refusal"
	StallUnknownEditor                    StallReason = "unknown_editor"
	StallEditionRefusal                   StallReason = "edition_refusal"
	StallActorConflict                    StallReason = "actor_conflict"
	StallIncorrectNamePrerequisite        StallReason = "incorrect_name_prerequisite"
	StallIncorrectMobilePrerequisite      StallReason = "incorrect_mobile_prerequisite"
	StallIncorrectInformationPrerequisite StallReason = "incorrect_information_prerequisite"
	StallSealerExpired                    StallReason = "sealer_expired"
	// StallDueDatePassed is Countersign's: the signer did not act before the step's due date.
	StallDueDatePassed StallReason = "due_date_passed"
)

// StallReasons lists every stall reason: those a decline gives, then due_date_passed.
var StallReasons = []StallReason{
	StallActionRefusal, StallSignatureRefusal, StallConsultationRefusal, StallReviewRefusal,
	StallUploadRefusal, StallUnknownEditor, StallEditionRefusal, StallActorConflict,
	StallIncorrectNamePrerequisite, StallIncorrectMobilePrerequisite,
	StallIncorrectInformationPrerequisite, StallSealerExpired, StallDueDatePassed,
}

// Valid reports whether r is a known stall reason.
func (r StallReason) Valid() bool {
	return slices.Contains(StallReasons, r)
}

// Types lists every event type the service emits, the common types first.
var Types = []Type{
	APIKeyCreated, APIKeyUpdated, APIKeyDeleted,
	TransactionCreated, TransactionStarted, TransactionPaused, TransactionCancelled,
	TransactionExpired, TransactionCompleted, ChatMessageReceived,
	ActionOpened, ActionClosed, ActionStalled, ActionManualReminderSent, ActionReminderSent,
	ActionWaitingPeriodCancel, ActionWaitingPeriodEnded,
	IdentityValidationProcessed,
	RegistrationIdentityVerified, RegistrationIdentityRejected, RegistrationLifecycleRejected,
	RegistrationLifecycleExpired, RegistrationLifecycleCompleted, RegistrationCertificateActivated,
	TransactionDeclined, EndpointDisabled, WebhookTest, MessageSent, MessageFailed,
}

// Known reports whether t is an event type of the catalogue.
func Known(t Type) bool {
	return slices.Contains(Types, t)
}
