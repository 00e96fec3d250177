package api

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/workflow"
)

// FindProcessesRequest is the body of findProcesses: at least
// one of the two is required.
type FindProcessesRequest struct {
	DocumentID   string `json:"documentId"`
	PersonalCode string `json:"personalCode"`
}

// processPayload is the answer of every process operation.
func processPayload(p *workflow.Process) events.Process { return p.Payload() }

func (s *Server) createProcess(c *fiber.Ctx) error {
	var in workflow.ProcessInput
	if err := decodeLenient(c, &in); err != nil {
		return err
	}
	if err := normalizeTimes(&in, nil); err != nil {
		return err
	}
	p, err := s.deps.Processes.CreateProcess(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	auditSubject(c, p.ID, p.DocumentID, "")
	return c.Status(http.StatusCreated).JSON(p.Payload())
}

func (s *Server) getProcess(c *fiber.Ctx) error {
	id, err := pathUUID(c, "processId")
	if err != nil {
		return err
	}
	p, err := s.deps.Processes.GetProcess(c.UserContext(), actor(c).WorkspaceID, id)
	if err != nil {
		return err
	}
	auditSubject(c, p.ID, p.DocumentID, "")
	return c.JSON(p.Payload())
}

func (s *Server) updateProcess(c *fiber.Ctx) error {
	var in workflow.ProcessInput
	if err := decodeLenient(c, &in); err != nil {
		return err
	}
	if err := normalizeTimes(&in, nil); err != nil {
		return err
	}
	return s.transition(c, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Update(in, now) })
}

func (s *Server) deleteProcess(c *fiber.Ctx) error {
	id, err := pathUUID(c, "processId")
	if err != nil {
		return err
	}
	if err := s.deps.Processes.DeleteProcess(c.UserContext(), actor(c), id); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

func (s *Server) listProcesses(c *fiber.Ctx) error {
	var f workflow.ProcessFilter
	var err error
	if f.CreatedUntil, err = filterDate(c, "createdDateBefore", true); err != nil {
		return err
	}
	if f.CreatedFrom, err = filterDate(c, "createdDateAfter", false); err != nil {
		return err
	}
	if f.Status, err = filterStatus(c, "processStatus"); err != nil {
		return err
	}
	for _, t := range []struct {
		name string
		dst  *string
	}{
		{"nameSearch", &f.NameSearch}, {"emailSearch", &f.EmailSearch}, {"personalCode", &f.PersonalCode},
		{"ownerGroup", &f.OwnerGroup}, {"docType", &f.DocumentType},
	} {
		if *t.dst, err = filterText(c, t.name); err != nil {
			return err
		}
	}
	admin, err := filterBool(c, "isAdmin")
	if err != nil {
		return err
	}
	if admin != nil && !*admin {
		f.CreatedBy = actor(c).APIKeyID
	}
	return s.listProcessPage(c, f)
}

func (s *Server) findProcesses(c *fiber.Ctx) error {
	var req FindProcessesRequest
	if err := decodeLenient(c, &req); err != nil {
		return err
	}
	req.DocumentID, req.PersonalCode = strings.TrimSpace(req.DocumentID), strings.TrimSpace(req.PersonalCode)
	if req.DocumentID == "" && req.PersonalCode == "" {
		return countersign.FieldErrorf(countersign.EVALIDATION, "documentId", "documentId or personalCode is required")
	}
	for field, v := range map[string]string{"documentId": req.DocumentID, "personalCode": req.PersonalCode} {
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxFilterText {
			return countersign.FieldErrorf(countersign.EVALIDATION, field, "%s must be at most %d characters", field, maxFilterText)
		}
	}
	return s.listProcessPage(c, workflow.ProcessFilter{DocumentID: req.DocumentID, PersonalCode: req.PersonalCode})
}

func (s *Server) listProcessesBySigner(c *fiber.Ctx) error {
	id, err := pathUUID(c, "stepsignerId")
	if err != nil {
		return err
	}
	return s.listProcessPage(c, workflow.ProcessFilter{SignerID: id})
}

func (s *Server) listProcessesByDocument(c *fiber.Ctx) error {
	id, err := pathFreeText(c, "documentId")
	if err != nil {
		return err
	}
	return s.listProcessPage(c, workflow.ProcessFilter{DocumentID: id})
}

// listProcessPage answers one page of the workspace's processes matching f,
// paged and sorted by its page, size and sort parameters.
func (s *Server) listProcessPage(c *fiber.Ctx, f workflow.ProcessFilter) error {
	pg, err := parsePageable(c, processSortable)
	if err != nil {
		return err
	}
	rows, total, err := s.deps.Processes.ListProcesses(c.UserContext(), actor(c).WorkspaceID, f, pg)
	if err != nil {
		return err
	}
	return c.JSON(convertPage(rows, total, pg, processPayload))
}

func (s *Server) listProcessMessages(c *fiber.Ctx) error {
	id, err := pathUUID(c, "processId")
	if err != nil {
		return err
	}
	pg, err := parsePageable(c, map[string]string{})
	if err != nil {
		return err
	}
	rows, total, err := s.deps.Processes.ListProcessMessages(c.UserContext(), actor(c).WorkspaceID, id, pg)
	if err != nil {
		return err
	}
	return c.JSON(NewPage(rows, total, pg))
}

func (s *Server) sendReminders(c *fiber.Ctx) error {
	sum, err := s.deps.Processes.SendReminders(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(sum)
}
