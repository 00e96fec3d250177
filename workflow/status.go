package workflow

import "slices"

// ProcessStatus is the state of a signing process. The SigningProcess schema lists PENDING,
// STARTED, COMPLETED, CANCELED and DECLINED; Countersign adds PAUSED (pauseProcess)
// and EXPIRED (expiresAt or a step's dueDate passed).
type ProcessStatus string

// The process statuses. COMPLETED, DECLINED, CANCELED and EXPIRED are final.
const (
	ProcessPending   ProcessStatus = "PENDING"
	ProcessStarted   ProcessStatus = "STARTED"
	ProcessPaused    ProcessStatus = "PAUSED"
	ProcessCompleted ProcessStatus = "COMPLETED"
	ProcessDeclined  ProcessStatus = "DECLINED"
	ProcessCanceled  ProcessStatus = "CANCELED"
	ProcessExpired   ProcessStatus = "EXPIRED"
)

// ProcessStatuses lists every process status.
var ProcessStatuses = []ProcessStatus{
	ProcessPending, ProcessStarted, ProcessPaused, ProcessCompleted,
	ProcessDeclined, ProcessCanceled, ProcessExpired,
}

// Valid reports whether s is a known process status.
func (s ProcessStatus) Valid() bool { return slices.Contains(ProcessStatuses, s) }

// Ended reports whether s is final: nothing but deletion can happen any more.
func (s ProcessStatus) Ended() bool {
	return s == ProcessCompleted || s == ProcessDeclined || s == ProcessCanceled || s == ProcessExpired
}

// StepStatus is the state of one step (the SigningProcessStep enum). A step that had not
// completed when its process ended (canceled, declined or expired) is CANCELED.
type StepStatus string

// The step statuses.
const (
	StepWaitingForPrevious StepStatus = "WAITING_FOR_PREVIOUS"
	StepStarted            StepStatus = "STARTED"
	StepCompleted          StepStatus = "COMPLETED"
	StepCanceled           StepStatus = "CANCELED"
)

// StepStatuses lists every step status.
var StepStatuses = []StepStatus{StepWaitingForPrevious, StepStarted, StepCompleted, StepCanceled}

// Valid reports whether s is a known step status.
func (s StepStatus) Valid() bool { return slices.Contains(StepStatuses, s) }

// SigningStatus is the state of one signer's action.
//
// A signer waits in WAITING_FOR_PROCESS until its step starts (and its waiting
// period, if any, is over), then WAITING_FOR_ACTION: the only status from which
// it can act. Acting leaves SIGNED (SIGNER), APPROVED (APPROVER), VIEWED (VIEWER)
// or DECLINED. Countersign refines the schema's list so that no signer is left
// waiting once it can no longer act: EXPIRED when time ran out (the process's
// expiresAt or the step's dueDate), CANCELED when the action was withdrawn
// without the signer acting (the process was canceled, another signer declined,
// or, for a VIEWER, the step completed before they viewed).
type SigningStatus string

// The signing statuses.
const (
	SigningWaitingForProcess SigningStatus = "WAITING_FOR_PROCESS"
	SigningWaitingForAction  SigningStatus = "WAITING_FOR_ACTION"
	SigningSigned            SigningStatus = "SIGNED"
	SigningApproved          SigningStatus = "APPROVED"
	SigningViewed            SigningStatus = "VIEWED"
	SigningDeclined          SigningStatus = "DECLINED"
	SigningExpired           SigningStatus = "EXPIRED"
	SigningCanceled          SigningStatus = "CANCELED"
)

// SigningStatuses lists every signing status.
var SigningStatuses = []SigningStatus{
	SigningWaitingForProcess, SigningWaitingForAction, SigningSigned, SigningApproved,
	SigningViewed, SigningDeclined, SigningExpired, SigningCanceled,
}

// Valid reports whether s is a known signing status.
func (s SigningStatus) Valid() bool { return slices.Contains(SigningStatuses, s) }

// Waiting reports whether the signer has not acted and still may.
func (s SigningStatus) Waiting() bool {
	return s == SigningWaitingForProcess || s == SigningWaitingForAction
}

// Done reports whether the signer did what its role requires: SIGNED or APPROVED.
// These are the signers TotalSigned counts.
func (s SigningStatus) Done() bool { return s == SigningSigned || s == SigningApproved }
