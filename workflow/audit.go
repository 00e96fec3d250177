package workflow

import "slices"

// AuditType is the kind of an audit-trail record (the auditing enum, used
// by createAuditingEvent and sendTestEmail). Audit records are the trail of API
// operations; they are not webhook events.
type AuditType string

// The audit types, in the order clients know them.
const (
	AuditProcessStarted         AuditType = "PROCESS_STARTED"
	AuditProcessCanceled        AuditType = "PROCESS_CANCELED"
	AuditProcessCompleted       AuditType = "PROCESS_COMPLETED"
	AuditProcessUpdated         AuditType = "PROCESS_UPDATED"
	AuditProcessDeleted         AuditType = "PROCESS_DELETED"
	AuditProcessOpened          AuditType = "PROCESS_OPENED"
	AuditProcessGetAll          AuditType = "PROCESS_GETALL"
	AuditProcessGetOne          AuditType = "PROCESS_GETONE"
	AuditDocumentCreate         AuditType = "DOCUMENT_CREATE"
	AuditDocumentInfo           AuditType = "DOCUMENT_INFO"
	AuditDocumentDownload       AuditType = "DOCUMENT_DOWNLOAD"
	AuditDocumentDelete         AuditType = "DOCUMENT_DELETE"
	AuditDocumentCreateOrUpdate AuditType = "DOCUMENT_CREATE_OR_UPDATE"
	AuditDocumentAddVersion     AuditType = "DOCUMENT_ADDVERSION"
	AuditDocumentUpdate         AuditType = "DOCUMENT_UPDATE"
	AuditSignature              AuditType = "SIGNATURE"
	AuditDecline                AuditType = "DECLINE"
	AuditApprove                AuditType = "APPROVE"
	AuditTaskStarted            AuditType = "TASK_STARTED"
	AuditSignerDeclined         AuditType = "SIGNER_DECLINED"
	AuditApproverDeclined       AuditType = "APPROVER_DECLINED"
	AuditSignerSigned           AuditType = "SIGNER_SIGNED"
	AuditApproverApproved       AuditType = "APPROVER_APPROVED"
	AuditReminder               AuditType = "REMINDER"
	AuditFailure                AuditType = "FAILURE"
	AuditLoginStart             AuditType = "AUDIT_LOGIN_START"
	AuditLoginCompleted         AuditType = "AUDIT_LOGIN_COMPLETED"
	AuditLoginFault             AuditType = "AUDIT_LOGIN_FAULT"
	AuditEmailReminder          AuditType = "AUDIT_EMAIL_REMINDER"
	AuditAuthCompleted          AuditType = "AUTH_COMPLETED"
	AuditAuthStart              AuditType = "AUTH_START"
)

// AuditTypes lists every audit type in that order.
var AuditTypes = []AuditType{
	AuditProcessStarted, AuditProcessCanceled, AuditProcessCompleted, AuditProcessUpdated,
	AuditProcessDeleted, AuditProcessOpened, AuditProcessGetAll, AuditProcessGetOne,
	AuditDocumentCreate, AuditDocumentInfo, AuditDocumentDownload, AuditDocumentDelete,
	AuditDocumentCreateOrUpdate, AuditDocumentAddVersion, AuditDocumentUpdate,
	AuditSignature, AuditDecline, AuditApprove, AuditTaskStarted,
	AuditSignerDeclined, AuditApproverDeclined, AuditSignerSigned, AuditApproverApproved,
	AuditReminder, AuditFailure,
	AuditLoginStart, AuditLoginCompleted, AuditLoginFault, AuditEmailReminder,
	AuditAuthCompleted, AuditAuthStart,
}

// Valid reports whether a is a known audit type.
func (a AuditType) Valid() bool { return slices.Contains(AuditTypes, a) }
