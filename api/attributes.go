package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

func (s *Server) attributeRoutes() {
	const tag = "document-attribute-controller"
	perm := countersign.PermProcesses
	s.handle(Operation{ID: "listDocumentAttributes", Method: http.MethodGet, Path: "/v1/document-attributes", Tag: tag, Perm: perm,
		Summary: "Document attributes list request, by name", Response: []workflow.DocumentAttribute{},
		Audit: workflow.AuditProcessGetAll}, s.listDocumentAttributes)
	s.handle(Operation{ID: "createDocumentAttribute", Method: http.MethodPost, Path: "/v1/document-attributes", Tag: tag, Perm: perm,
		Summary: "Document attribute create request", Request: workflow.DocumentAttribute{}, LenientBody: true,
		BodyRequired: []string{"name", "type"}, Response: workflow.DocumentAttribute{}, Status: http.StatusCreated,
		Audit: workflow.AuditDocumentCreate}, s.createDocumentAttribute)
	s.handle(Operation{ID: "getDocumentAttributeById", Method: http.MethodGet, Path: "/v1/document-attributes/:id", Tag: tag,
		Perm: perm, Summary: "Document attribute details request", Response: workflow.DocumentAttribute{},
		Audit: workflow.AuditDocumentInfo}, s.getDocumentAttributeByID)
	s.handle(Operation{ID: "updateDocumentAttribute", Method: http.MethodPut, Path: "/v1/document-attributes/:id", Tag: tag,
		Perm: perm, Summary: "Document attribute update request; every profile listing it sees the change",
		Request: workflow.DocumentAttribute{}, LenientBody: true, BodyRequired: []string{"name", "type"},
		Response: workflow.DocumentAttribute{}, Audit: workflow.AuditDocumentUpdate}, s.updateDocumentAttribute)
	s.handle(Operation{ID: "deleteDocumentAttribute", Method: http.MethodDelete, Path: "/v1/document-attributes/:id", Tag: tag,
		Perm: perm, Summary: "Document attribute delete request; 409 while a profile lists it",
		Status: http.StatusNoContent, Audit: workflow.AuditDocumentDelete}, s.deleteDocumentAttribute)
}

func (s *Server) listDocumentAttributes(c *fiber.Ctx) error {
	out, err := s.deps.Resources.ListDocumentAttributes(c.UserContext(), actor(c).WorkspaceID)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) createDocumentAttribute(c *fiber.Ctx) error {
	var in workflow.DocumentAttribute
	if err := decodeLenient(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Resources.CreateDocumentAttribute(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(out)
}

func (s *Server) getDocumentAttributeByID(c *fiber.Ctx) error {
	id, err := pathUUID(c, "id")
	if err != nil {
		return err
	}
	out, err := s.deps.Resources.GetDocumentAttribute(c.UserContext(), actor(c).WorkspaceID, id)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) updateDocumentAttribute(c *fiber.Ctx) error {
	id, err := pathUUID(c, "id")
	if err != nil {
		return err
	}
	var in workflow.DocumentAttribute
	if err := decodeLenient(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Resources.UpdateDocumentAttribute(c.UserContext(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) deleteDocumentAttribute(c *fiber.Ctx) error {
	id, err := pathUUID(c, "id")
	if err != nil {
		return err
	}
	if err := s.deps.Resources.DeleteDocumentAttribute(c.UserContext(), actor(c), id); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}
