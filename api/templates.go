package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// TemplatePage is the answer of listTemplates.
type TemplatePage = Page[workflow.Template]

// templateSortFields are the fields listTemplates sorts by.
var templateSortFields = map[string]string{"name": "name", "createdAt": "createdAt"}

func (s *Server) templateRoutes() {
	const tag = "templates-controller"
	perm := countersign.PermProcesses
	list := append([]Param{
		{Name: "owner", Required: true, Description: "The user whose PERSONAL templates are listed."},
		{Name: "group", Required: true, Description: "The user's group, whose GROUP templates are listed."},
		{Name: "name", Description: "Name contains this, ignoring case."},
		scopeParam,
	}, pageableParams...)
	s.handle(Operation{ID: "listTemplates", Method: http.MethodGet, Path: "/v1/templates", Tag: tag, Perm: perm,
		Summary: "Templates list request: the templates a user sees", Query: list, Response: TemplatePage{},
		Audit: workflow.AuditProcessGetAll}, s.listTemplates)
	s.handle(Operation{ID: "createTemplate", Method: http.MethodPost, Path: "/v1/templates", Tag: tag, Perm: perm,
		Summary: "Template create request", Request: workflow.Template{}, LenientBody: true,
		BodyRequired: []string{"name", "owner"}, Response: workflow.Template{},
		Status: http.StatusCreated, Audit: workflow.AuditProcessUpdated}, s.createTemplate)
	s.handle(Operation{ID: "deleteTemplate", Method: http.MethodDelete, Path: "/v1/templates/:templateId", Tag: tag, Perm: perm,
		Summary: "Template delete request", Query: ownerParams, Status: http.StatusNoContent,
		Audit: workflow.AuditProcessDeleted}, s.deleteTemplate)
}

func (s *Server) listTemplates(c *fiber.Ctx) error {
	owner, err := requiredQuery(c, "owner")
	if err != nil {
		return err
	}
	group, err := requiredQuery(c, "group")
	if err != nil {
		return err
	}
	page, err := parsePageable(c, templateSortFields)
	if err != nil {
		return err
	}
	f := workflow.TemplateFilter{User: owner, Group: group, Scopes: queryScopes(c), Name: c.Query("name")}
	rows, total, err := s.deps.Resources.ListTemplates(c.UserContext(), actor(c).WorkspaceID, f, page)
	if err != nil {
		return err
	}
	return c.JSON(NewPage(rows, total, page))
}

func (s *Server) createTemplate(c *fiber.Ctx) error {
	var in workflow.Template
	if err := decodeLenient(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Resources.CreateTemplate(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(out)
}

func (s *Server) deleteTemplate(c *fiber.Ctx) error {
	id, err := pathUUID(c, "templateId")
	if err != nil {
		return err
	}
	user, group, err := onBehalf(c)
	if err != nil {
		return err
	}
	if err := s.deps.Resources.DeleteTemplate(c.UserContext(), actor(c), user, group, id); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}
