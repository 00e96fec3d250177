package api

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// AuditPage is the answer of listAuditingEvents.
type AuditPage = Page[workflow.AuditRecord]

// auditSortFields are the fields listAuditingEvents sorts by.
var auditSortFields = map[string]string{"createdAt": "createdAt", "eventType": "eventType"}

func (s *Server) auditingRoutes() {
	const tag = "auditing-controller"
	perm := countersign.PermProcesses
	types := make([]string, len(workflow.AuditTypes))
	for i, t := range workflow.AuditTypes {
		types[i] = string(t)
	}
	list := append([]Param{
		{Name: "processId", Description: "Only records about this signing process."},
		{Name: "documentId", Description: "Only records about this document."},
		{Name: "signerId", Description: "Only records about this signer."},
		{Name: "eventType", Description: "Only records of this type.", Enum: types},
		{Name: "createdAfter", Type: "date-time", Description: "Only records created at or after this time."},
		{Name: "createdBefore", Type: "date-time", Description: "Only records created at or before this time."},
	}, pageableParams...)
	// createAuditingEvent is itself the audit record: it has no Audit type.
	// Any key that drives processes may write one, since the service cannot
	// see what happens in a client's own application; the record always says
	// a client wrote it, and with which key (workflow.AuditRecord.FromClient).
	s.handle(Operation{ID: "createAuditingEvent", Method: http.MethodPost, Path: "/v1/auditing-events", Tag: tag, Perm: perm,
		Summary: "Auditing event create request: a client's record; the service sets id, createdAt, apiKeyId, " +
			"creator (the calling key), eventOrigin (client) and method (POST createAuditingEvent)", Request: workflow.AuditRecord{}, LenientBody: true,
		BodyRequired: []string{"eventType"}, Response: workflow.AuditRecord{},
		Status: http.StatusCreated}, s.createAuditingEvent)
	s.handle(Operation{ID: "listAuditingEvents", Method: http.MethodGet, Path: "/v1/auditing-events", Tag: tag, Perm: perm,
		Summary: "Auditing events list request, newest first (Countersign's addition)", Query: list,
		Response: AuditPage{}, Audit: workflow.AuditProcessGetAll}, s.listAuditingEvents)
}

func (s *Server) createAuditingEvent(c *fiber.Ctx) error {
	var in workflow.AuditRecord
	if err := decodeLenient(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Resources.CreateAuditEvent(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(out)
}

func (s *Server) listAuditingEvents(c *fiber.Ctx) error {
	page, err := parsePageable(c, auditSortFields)
	if err != nil {
		return err
	}
	f := workflow.AuditFilter{ProcessID: c.Query("processId"), DocumentID: c.Query("documentId"),
		SignerID: c.Query("signerId"), EventType: workflow.AuditType(c.Query("eventType"))}
	if f.EventType != "" && !f.EventType.Valid() {
		return countersign.FieldErrorf(countersign.EINVALID, "eventType", "%q is not an audit event type", f.EventType)
	}
	if f.CreatedAfter, err = optionalDateTime(c, "createdAfter"); err != nil {
		return err
	}
	if f.CreatedBefore, err = optionalDateTime(c, "createdBefore"); err != nil {
		return err
	}
	rows, total, err := s.deps.Resources.ListAuditEvents(c.UserContext(), actor(c).WorkspaceID, f, page)
	if err != nil {
		return err
	}
	return c.JSON(NewPage(rows, total, page))
}

// Locals through which a handler names what its operation was about, when
// its path does not (createProcess learns the process id only as it answers).
const (
	localAuditProcess  = "audit.processId"
	localAuditDocument = "audit.documentId"
	localAuditSigner   = "audit.signerId"
)

// auditSubject tells the audit middleware which process, document and signer
// the operation was about; empty values are ignored.
func auditSubject(c *fiber.Ctx, processID, documentID, signerID string) {
	for local, v := range map[string]string{localAuditProcess: processID, localAuditDocument: documentID, localAuditSigner: signerID} {
		if v != "" {
			c.Locals(local, strings.Clone(v))
		}
	}
}

// requestAudit is the record of an API operation of a's: the caller's key as
// creator, IP and client application, method "METHOD operationId", origin api.
func requestAudit(a countersign.Actor, t workflow.AuditType, method string) workflow.AuditRecord {
	return workflow.AuditRecord{
		WorkspaceID: strings.Clone(a.WorkspaceID), EventType: t, EventOrigin: workflow.OriginAPI,
		Creator: strings.Clone(a.APIKeyID), APIKeyID: strings.Clone(a.APIKeyID), IPAddress: strings.Clone(a.IP),
		Method: method, ClientAppName: strings.Clone(a.ClientApp),
	}
}

// audited returns the middleware of an operation with an Audit type: once the
// handler has answered 2xx it hands one record to the AuditRecorder, with the
// caller's key as creator, IP and client application, "METHOD operationId" as
// method, and the processId, documentId and signerId path parameters (any
// other path parameter goes to the note as name=value).
func (s *Server) audited(op Operation) fiber.Handler {
	method := op.Method + " " + op.ID
	params := op.PathParams()
	return func(c *fiber.Ctx) error {
		if err := c.Next(); err != nil {
			return err
		}
		if st := c.Response().StatusCode(); st < 200 || st > 299 {
			return nil
		}
		rec := requestAudit(actor(c), op.Audit, method)
		rec.ProcessID, _ = c.Locals(localAuditProcess).(string)
		rec.DocumentID, _ = c.Locals(localAuditDocument).(string)
		rec.SignerID, _ = c.Locals(localAuditSigner).(string)
		var notes []string
		for _, p := range params {
			v := strings.Clone(c.Params(p))
			switch p {
			case "processId":
				rec.ProcessID = v
			case "documentId":
				rec.DocumentID = v
			case "signerId", "processSignerId", "stepsignerId":
				rec.SignerID = v
			default:
				notes = append(notes, p+"="+v)
			}
		}
		rec.Note = strings.Join(notes, " ")
		s.deps.Audit.Record(rec)
		return nil
	}
}
