package api

import (
	"context"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/workflow"
)

// ProcessStore is what the API needs of signing-process storage: processes,
// their signers' lookups, chat messages, reminders and signer registrations.
// Every change runs a workflow command and saves the state with its events in
// one transaction.
type ProcessStore interface {
	CreateProcess(ctx context.Context, actor countersign.Actor, in workflow.ProcessInput) (*workflow.Process, error)
	GetProcess(ctx context.Context, workspaceID, id string) (*workflow.Process, error)
	ChangeProcess(ctx context.Context, actor countersign.Actor, id string, cmd workflow.Command) (*workflow.Process, error)
	CancelProcessWithMessageControl(ctx context.Context, actor countersign.Actor, id string, disableMessages bool) (*workflow.Process, error)
	DeleteProcess(ctx context.Context, actor countersign.Actor, id string) error
	ListProcesses(ctx context.Context, workspaceID string, f workflow.ProcessFilter, page workflow.Paging) ([]*workflow.Process, int64, error)
	ProcessOfSigner(ctx context.Context, workspaceID, signerID string) (string, error)
	ProcessOfStep(ctx context.Context, workspaceID, stepID string) (string, error)

	PostProcessMessage(ctx context.Context, actor countersign.Actor, processID, signerID, text string) (events.ChatMessageData, error)
	ListProcessMessages(ctx context.Context, workspaceID, processID string, page workflow.Paging) ([]events.ChatMessageData, int64, error)
	SendReminders(ctx context.Context, actor countersign.Actor) (workflow.ReminderSummary, error)

	AuthorizeProcessAccess(ctx context.Context, actor countersign.Actor, signerID, personalCode, country string,
		fault workflow.AuditRecord) (*workflow.Process, bool, error)
	ListAssignments(ctx context.Context, workspaceID string, f workflow.PersonFilter, page workflow.Paging) ([]workflow.Assignment, int64, error)
}

// RegistrationStore is what the API needs of signer-registration storage.
type RegistrationStore interface {
	CreateRegistration(ctx context.Context, actor countersign.Actor, in workflow.RegistrationInput) (*workflow.Registration, error)
	GetRegistration(ctx context.Context, workspaceID, id string) (*workflow.Registration, error)
	ChangeRegistration(ctx context.Context, actor countersign.Actor, id string, cmd workflow.RegistrationCommand) (*workflow.Registration, error)
}

// processSortable maps the sort fields of process lists to storage columns.
var processSortable = map[string]string{
	"createdAt": "created_at", "updatedAt": "updated_at", "completedAt": "completed_at", "expiresAt": "expires_at",
	"status": "status", "documentName": "document_name", "documentType": "document_type", "ownerGroup": "owner_group",
	"initiator": "initiator", "initiatorName": "initiator_name", "id": "id",
}

// processFilterParams documents listProcesses' filters.
var processFilterParams = []Param{
	{Name: "createdDateBefore", Type: "date", Description: "Return records created on or before this date (YYYY-MM-DD, or a date-time)."},
	{Name: "createdDateAfter", Type: "date", Description: "Return records created on or after this date (YYYY-MM-DD, or a date-time)."},
	{Name: "processStatus", Description: "Signing process status filter.", Enum: processStatusNames()},
	{Name: "nameSearch", Description: "Matches the document name, the initiator's name and the signers' names (case-insensitive substring)."},
	{Name: "emailSearch", Description: "Matches the initiator's and the signers' emails (case-insensitive substring)."},
	{Name: "personalCode", Description: "A signer's personal code (hyphens optional for LV, LT and EE)."},
	{Name: "ownerGroup", Description: "Owner group filter (exact)."},
	{Name: "docType", Description: "Document type filter (exact)."},
	{Name: "isAdmin", Type: "boolean", Description: "false lists only the processes created with the calling API key; true or absent, the whole workspace."},
}

// processStatusNames lists the process statuses for the OpenAPI enum.
func processStatusNames() []string {
	out := make([]string, len(workflow.ProcessStatuses))
	for i, s := range workflow.ProcessStatuses {
		out[i] = string(s)
	}
	return out
}

// processRoutes registers the signing-process operations: processes, their
// transitions, steps, signers, chat messages, reminders, the signer portal and
// signer registrations. Every one needs PermProcesses.
func (s *Server) processRoutes() {
	const tag = "processes"
	perm := countersign.PermProcesses
	page := Page[events.Process]{}
	proc := events.Process{}
	paged := func(extra ...Param) []Param { return append(append([]Param{}, pageableParams...), extra...) }
	for _, r := range []struct {
		op Operation
		h  fiber.Handler
	}{
		{Operation{ID: "createProcess", Method: http.MethodPost, Path: "/v1/processes", Summary: "Create a signing process (PENDING) with ordered steps of signers",
			Request: workflow.ProcessInput{}, LenientBody: true, BodyRequired: []string{"signingProcessSteps"},
			Response: proc, Status: http.StatusCreated, Audit: workflow.AuditProcessUpdated}, s.createProcess},
		{Operation{ID: "listProcesses", Method: http.MethodGet, Path: "/v1/processes", Summary: "List signing processes, filtered and paged",
			Response: page, Query: paged(processFilterParams...), Audit: workflow.AuditProcessGetAll}, s.listProcesses},
		{Operation{ID: "findProcesses", Method: http.MethodPost, Path: "/v1/processes/search", Summary: "Find signing processes by document and signer personal code",
			Request: FindProcessesRequest{}, LenientBody: true, Response: page, Query: paged(), Audit: workflow.AuditProcessGetAll}, s.findProcesses},
		{Operation{ID: "getProcessById", Method: http.MethodGet, Path: "/v1/processes/:processId", Summary: "Get a signing process",
			Response: proc, Audit: workflow.AuditProcessGetOne}, s.getProcess},
		{Operation{ID: "updateProcess", Method: http.MethodPut, Path: "/v1/processes/:processId", Summary: "Replace a PENDING or PAUSED process's fields (and, while PENDING, its steps)",
			Request: workflow.ProcessInput{}, LenientBody: true, Response: proc, Audit: workflow.AuditProcessUpdated}, s.updateProcess},
		{Operation{ID: "deleteProcess", Method: http.MethodDelete, Path: "/v1/processes/:processId", Summary: "Delete a process that is not STARTED",
			Status: http.StatusNoContent, Audit: workflow.AuditProcessDeleted}, s.deleteProcess},
		{Operation{ID: "startProcess", Method: http.MethodPost, Path: "/v1/processes/:processId/start", Summary: "Start a PENDING process: its first steps' signers can act",
			Response: proc, Audit: workflow.AuditProcessStarted}, s.startProcess},
		{Operation{ID: "pauseProcess", Method: http.MethodPost, Path: "/v1/processes/:processId/pause", Summary: "Pause a STARTED process",
			Response: proc, Audit: workflow.AuditProcessUpdated}, s.pauseProcess},
		{Operation{ID: "resumeProcess", Method: http.MethodPost, Path: "/v1/processes/:processId/resume", Summary: "Resume a PAUSED process",
			Response: proc, Audit: workflow.AuditProcessStarted}, s.resumeProcess},
		{Operation{ID: "cancelProcess", Method: http.MethodPost, Path: "/v1/processes/:processId/cancel", Summary: "Cancel a process that has not ended",
			Response: proc, Audit: workflow.AuditProcessCanceled}, s.cancelProcess},
		{Operation{ID: "cancelProcessWithMessageControl", Method: http.MethodPost, Path: "/v1/processes/:processId/cancel-with-message-control",
			Summary: "Cancel a process, saying whether notification messages go out", Request: CancelRequest{}, BodyRequired: []string{"disableMessages"}, Response: proc,
			Audit: workflow.AuditProcessCanceled}, s.cancelProcessWithMessageControl},
		{Operation{ID: "signerSign", Method: http.MethodPost, Path: "/v1/processes/:processId/signers/:signerId/sign", Summary: "A SIGNER signs",
			Response: proc, Audit: workflow.AuditSignerSigned}, s.signerSign},
		{Operation{ID: "signerApprove", Method: http.MethodPost, Path: "/v1/processes/:processId/signers/:signerId/approve", Summary: "An APPROVER approves",
			Response: proc, Audit: workflow.AuditApproverApproved}, s.signerApprove},
		{Operation{ID: "signerView", Method: http.MethodPost, Path: "/v1/processes/:processId/signers/:signerId/view", Summary: "A VIEWER has viewed the document",
			Response: proc, Audit: workflow.AuditProcessOpened}, s.signerView},
		{Operation{ID: "signerDecline", Method: http.MethodPost, Path: "/v1/processes/:processId/signers/:signerId/decline",
			Summary: "A SIGNER or APPROVER declines, for a stall reason: the process ends DECLINED", Request: DeclineRequest{}, BodyRequired: []string{"stallReason"}, Response: proc,
			Audit: workflow.AuditDecline}, s.signerDecline},
		{Operation{ID: "postProcessMessage", Method: http.MethodPost, Path: "/v1/processes/:processId/signers/:signerId/messages",
			Summary: "A signer posts a message to the process creator", Request: MessageRequest{}, BodyRequired: []string{"message"}, Response: events.ChatMessageData{},
			Status: http.StatusCreated, Audit: workflow.AuditProcessUpdated}, s.postProcessMessage},
		{Operation{ID: "listProcessMessages", Method: http.MethodGet, Path: "/v1/processes/:processId/messages", Summary: "List a process's chat messages, oldest first",
			Response: Page[events.ChatMessageData]{}, Query: pageableParams, Audit: workflow.AuditProcessGetAll}, s.listProcessMessages},
		{Operation{ID: "updateProcessStep", Method: http.MethodPut, Path: "/v1/process-steps/:processStepId", Summary: "Replace a step's order, due date, waiting period and signers",
			Request: workflow.StepInput{}, LenientBody: true, BodyRequired: []string{"processStepSigners"}, Response: events.Step{}, Audit: workflow.AuditProcessUpdated}, s.updateProcessStep},
		{Operation{ID: "cancelWaitingPeriod", Method: http.MethodPost, Path: "/v1/process-steps/:processStepId/waiting-period/cancel",
			Summary: "Cut a started step's waiting period short: its signers can act now", Response: proc, Audit: workflow.AuditTaskStarted}, s.cancelWaitingPeriod},
		{Operation{ID: "listProcessesByStepSignerId", Method: http.MethodGet, Path: "/v1/signers/:stepsignerId/processes", Summary: "List the processes of a step signer",
			Response: page, Query: paged(), Audit: workflow.AuditProcessGetAll}, s.listProcessesBySigner},
		{Operation{ID: "sendSignerEmail", Method: http.MethodPost, Path: "/v1/signers/:processSignerId/reminders", Summary: "Send a signer with an open action a manual reminder",
			Response: proc, Audit: workflow.AuditEmailReminder}, s.sendSignerEmail},
		{Operation{ID: "listProcessesByDocumentId", Method: http.MethodGet, Path: "/v1/documents/:documentId/processes", Summary: "List the processes of a document",
			Response: page, Query: paged(), Audit: workflow.AuditProcessGetAll}, s.listProcessesByDocument},
		{Operation{ID: "sendReminders", Method: http.MethodPost, Path: "/v1/reminders", Summary: "Remind every signer whose action is open",
			Response: workflow.ReminderSummary{}, Audit: workflow.AuditReminder}, s.sendReminders},
	} {
		r.op.Tag, r.op.Perm = tag, perm
		s.handle(r.op, r.h)
	}
	s.signerPortalRoutes()
	s.registrationRoutes()
}
