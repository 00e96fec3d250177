package events

// The value sets below are the fixed vocabularies of payload fields that are
// plain strings in the structs (so callers can assign string constants or values
// read from storage without conversions). The catalogue's JSON Schemas list them
// as enums, so adding a value here is a change to the published contract.

// Process statuses (Process.Status), the process service's SigningProcess status.
const (
	ProcessPending   = "PENDING"
	ProcessStarted   = "STARTED"
	ProcessPaused    = "PAUSED"
	ProcessCompleted = "COMPLETED"
	ProcessDeclined  = "DECLINED"
	ProcessCanceled  = "CANCELED"
	ProcessExpired   = "EXPIRED"
)

// ProcessStatuses lists every value of Process.Status.
var ProcessStatuses = []string{
	ProcessPending, ProcessStarted, ProcessPaused, ProcessCompleted,
	ProcessDeclined, ProcessCanceled, ProcessExpired,
}

// Step statuses (Step.StepStatus).
const (
	StepWaitingForPrevious = "WAITING_FOR_PREVIOUS"
	StepStarted            = "STARTED"
	StepCompleted          = "COMPLETED"
	StepCanceled           = "CANCELED"
)

// StepStatuses lists every value of Step.StepStatus.
var StepStatuses = []string{StepWaitingForPrevious, StepStarted, StepCompleted, StepCanceled}

// Signing statuses (Signer.SigningStatus): where one participant stands.
// CANCELED is Countersign's addition to the process service's list: the
// participant's action was withdrawn before they acted (the process was
// cancelled, another participant declined, or a step completed before a VIEWER
// viewed), so no participant is left waiting once they can no longer act.
const (
	SigningWaitingForProcess = "WAITING_FOR_PROCESS"
	SigningWaitingForAction  = "WAITING_FOR_ACTION"
	SigningSigned            = "SIGNED"
	SigningApproved          = "APPROVED"
	SigningViewed            = "VIEWED"
	SigningDeclined          = "DECLINED"
	SigningExpired           = "EXPIRED"
	SigningCanceled          = "CANCELED"
)

// SigningStatuses lists every value of Signer.SigningStatus.
var SigningStatuses = []string{
	SigningWaitingForProcess, SigningWaitingForAction, SigningSigned, SigningApproved,
	SigningViewed, SigningDeclined, SigningExpired, SigningCanceled,
}

// ClosingActions lists the values of ActionData.Action: the signing statuses
// that close an action (a decline stalls it instead).
var ClosingActions = []string{SigningSigned, SigningApproved, SigningViewed}

// Signer roles (Signer.SignerRole).
const (
	SignerViewer        = "VIEWER"
	SignerSigner        = "SIGNER"
	SignerApprover      = "APPROVER"
	SignerInitiator     = "INITIATOR"
	SignerAdministrator = "ADMINISTRATOR"
)

// SignerRoles lists every value of Signer.SignerRole.
var SignerRoles = []string{SignerViewer, SignerSigner, SignerApprover, SignerInitiator, SignerAdministrator}

// Verification statuses of an identity check (IdentityValidationData and
// RegistrationData), as receivers know them.
const (
	VerificationSuccess = "success"
	VerificationFailure = "failure"
)

// VerificationStatuses lists every verification status.
var VerificationStatuses = []string{VerificationSuccess, VerificationFailure}

// Identity verification methods (RegistrationData.Method): a remote video
// identity check (PVID) or a web check of an identity document, the two kinds
// the consumption report counts.
const (
	MethodPVID = "pvid"
	MethodWeb  = "web"
)

// VerificationMethods lists every value of RegistrationData.Method.
var VerificationMethods = []string{MethodPVID, MethodWeb}
