package api

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/workflow"
)

// AccessRequest is the body of authorizeProcessAccess: the signerId,
// personCode and country (sent in the body so personal codes stay out of URLs
// and access logs).
type AccessRequest struct {
	SignerID   string `json:"signerId"`
	PersonCode string `json:"personCode"`
	Country    string `json:"country"`
}

// personParams documents the portal's person parameters.
var personParams = []Param{
	{Name: "personCode", Required: true, Description: "Personal code of the signer (LV, LT, EE formats are checked)."},
	{Name: "country", Required: true, Description: "ISO 3166-1 alpha-2 country that issued the personal code."},
}

// taskParams documents listSignerTasks' parameters.
var taskParams = []Param{
	{Name: "personalCode", Required: true, Description: "Personal code of the signer."},
	{Name: "country", Required: true, Description: "ISO 3166-1 alpha-2 country that issued the personal code."},
	{Name: "signerId", Required: true, Description: "One step signer id of that person (from the portal link): proves the person takes part."},
	{Name: "createdDateBefore", Type: "date", Description: "Processes created on or before this date."},
	{Name: "createdDateAfter", Type: "date", Description: "Processes created on or after this date."},
	{Name: "processStatus", Description: "Signing process status filter.", Enum: processStatusNames()},
	{Name: "nameSearch", Description: "Matches the document name and the initiator's name."},
	{Name: "nonExpired", Type: "boolean", Description: "true drops expired processes and those past their expiresAt."},
}

// signerPortalRoutes registers the signer portal's queries and access check.
// Every answer shows the person their own signer entries only.
func (s *Server) signerPortalRoutes() {
	const tag = "signer-portal"
	perm := countersign.PermProcesses
	s.handle(Operation{ID: "authorizeProcessAccess", Method: http.MethodPost, Path: "/v1/signer-portal/access", Tag: tag, Perm: perm,
		Summary: "Check that a signer is the person with this personal code: 200 with the process (audit AUTH_COMPLETED), " +
			"403 on a mismatch (audit AUDIT_LOGIN_FAULT; identity-validation.processed with verificationStatus failure either way)",
		Request: AccessRequest{}, BodyRequired: []string{"signerId", "personCode", "country"}, Response: events.Process{}, Audit: workflow.AuditAuthCompleted}, s.authorizeProcessAccess)
	s.handle(Operation{ID: "listSignerTasks", Method: http.MethodGet, Path: "/v1/signer-portal/tasks", Tag: tag, Perm: perm,
		Summary: "List a person's signing tasks", Response: Page[SignerTask]{},
		Query: append(append([]Param{}, taskParams...), pageableParams...), Audit: workflow.AuditProcessGetAll}, s.listSignerTasks)
	s.handle(Operation{ID: "listSignerSteps", Method: http.MethodGet, Path: "/v1/signer-portal/steps", Tag: tag, Perm: perm,
		Summary: "List the steps a person signs in", Response: Page[SignerStep]{},
		Query: append(append([]Param{}, personParams...), pageableParams...), Audit: workflow.AuditProcessGetAll}, s.listSignerSteps)
	s.handle(Operation{ID: "listSignerDocuments", Method: http.MethodGet, Path: "/v1/signer-portal/documents", Tag: tag, Perm: perm,
		Summary: "List the documents a person signs", Response: Page[SignerDocument]{},
		Query: append(append([]Param{}, personParams...), pageableParams...), Audit: workflow.AuditProcessGetAll}, s.listSignerDocuments)
}

func (s *Server) authorizeProcessAccess(c *fiber.Ctx) error {
	var req AccessRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if err := bodyUUIDField("signerId", req.SignerID); err != nil {
		return err
	}
	code, country, err := portalPerson(req.PersonCode, req.Country, "personCode", "country")
	if err != nil {
		return err
	}
	// A refusal is recorded by the store, with its failure event: the audit
	// middleware records 2xx answers only, and a 403 must leave a trail.
	fault := requestAudit(actor(c), workflow.AuditLoginFault, http.MethodPost+" authorizeProcessAccess")
	p, ok, err := s.deps.Processes.AuthorizeProcessAccess(c.UserContext(), actor(c), req.SignerID, code, country, fault)
	if err != nil {
		return err
	}
	if !ok {
		return countersign.Errorf(countersign.EFORBIDDEN, "the personal code and country do not identify this signer")
	}
	auditSubject(c, p.ID, p.DocumentID, req.SignerID)
	return c.JSON(p.PortalPayload(req.SignerID))
}

func (s *Server) listSignerTasks(c *fiber.Ctx) error {
	rawCode, err := requiredFilter(c, "personalCode")
	if err != nil {
		return err
	}
	code, country, err := portalPerson(rawCode, c.Query("country"), "personalCode", "country")
	if err != nil {
		return err
	}
	signerID := c.Query("signerId")
	if err := bodyUUIDField("signerId", signerID); err != nil {
		return err
	}
	f := workflow.PersonFilter{PersonalCode: code, Country: country}
	if f.CreatedUntil, err = filterDate(c, "createdDateBefore", true); err != nil {
		return err
	}
	if f.CreatedFrom, err = filterDate(c, "createdDateAfter", false); err != nil {
		return err
	}
	if f.Status, err = filterStatus(c, "processStatus"); err != nil {
		return err
	}
	if f.NameSearch, err = filterText(c, "nameSearch"); err != nil {
		return err
	}
	now := time.Now().UTC()
	if nonExpired, err := filterBool(c, "nonExpired"); err != nil {
		return err
	} else if nonExpired != nil && *nonExpired {
		f.NonExpiredAt = &now
	}
	pg, err := parsePageable(c, processSortable)
	if err != nil {
		return err
	}
	if err := s.ownSigner(c, signerID, code, country); err != nil {
		return err
	}
	rows, total, err := s.deps.Processes.ListAssignments(c.UserContext(), actor(c).WorkspaceID, f, pg)
	if err != nil {
		return err
	}
	return c.JSON(convertPage(rows, total, pg, func(a workflow.Assignment) SignerTask { return signerTask(a, now) }))
}

// ownSigner refuses (403) a signer id that is not the person's: the portal's
// proof that the person takes part. An unknown signer is not found.
func (s *Server) ownSigner(c *fiber.Ctx, signerID, code, country string) error {
	ws := actor(c).WorkspaceID
	processID, err := s.deps.Processes.ProcessOfSigner(c.UserContext(), ws, signerID)
	if err != nil {
		return err
	}
	p, err := s.deps.Processes.GetProcess(c.UserContext(), ws, processID)
	if err != nil {
		return err
	}
	if p.IdentifySigner(signerID, code, country) != "" {
		return countersign.FieldErrorf(countersign.EFORBIDDEN, "signerId", "the personal code and country do not identify this signer")
	}
	return nil
}

// personQuery reads the personCode and country of the portal's person lists.
func personQuery(c *fiber.Ctx) (workflow.PersonFilter, error) {
	code, country, err := portalPerson(c.Query("personCode"), c.Query("country"), "personCode", "country")
	return workflow.PersonFilter{PersonalCode: code, Country: country}, err
}

func (s *Server) listSignerSteps(c *fiber.Ctx) error {
	f, err := personQuery(c)
	if err != nil {
		return err
	}
	pg, err := parsePageable(c, processSortable)
	if err != nil {
		return err
	}
	rows, total, err := s.deps.Processes.ListAssignments(c.UserContext(), actor(c).WorkspaceID, f, pg)
	if err != nil {
		return err
	}
	return c.JSON(convertPage(rows, total, pg, signerStep))
}

func (s *Server) listSignerDocuments(c *fiber.Ctx) error {
	f, err := personQuery(c)
	if err != nil {
		return err
	}
	f.PerProcess = true
	pg, err := parsePageable(c, processSortable)
	if err != nil {
		return err
	}
	rows, total, err := s.deps.Processes.ListAssignments(c.UserContext(), actor(c).WorkspaceID, f, pg)
	if err != nil {
		return err
	}
	return c.JSON(convertPage(rows, total, pg, signerDocument))
}
