package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

func (s *Server) profileRoutes() {
	const tag = "document-profile-controller"
	perm := countersign.PermProcesses
	// by-name is registered before :id, which would otherwise take it.
	s.handle(Operation{ID: "getDocumentProfileByName", Method: http.MethodGet, Path: "/v1/document-profiles/by-name", Tag: tag,
		Perm: perm, Summary: "Document profile lookup request by name",
		Query:    []Param{{Name: "name", Required: true, Description: "The profile's exact name."}},
		Response: workflow.DocumentProfile{}, Audit: workflow.AuditDocumentInfo}, s.getDocumentProfileByName)
	s.handle(Operation{ID: "listDocumentProfiles", Method: http.MethodGet, Path: "/v1/document-profiles", Tag: tag, Perm: perm,
		Summary:  "Document profiles list request, ordered by profileorder then name",
		Query:    []Param{{Name: "group", Description: "Only the profiles of this owner group."}},
		Response: []workflow.DocumentProfile{}, Audit: workflow.AuditProcessGetAll}, s.listDocumentProfiles)
	s.handle(Operation{ID: "createDocumentProfile", Method: http.MethodPost, Path: "/v1/document-profiles", Tag: tag, Perm: perm,
		Summary: "Document profile create request", Request: workflow.DocumentProfile{}, LenientBody: true,
		BodyRequired: []string{"name"}, Response: workflow.DocumentProfile{},
		Status: http.StatusCreated, Audit: workflow.AuditDocumentCreate}, s.createDocumentProfile)
	s.handle(Operation{ID: "getDocumentProfileById", Method: http.MethodGet, Path: "/v1/document-profiles/:id", Tag: tag, Perm: perm,
		Summary: "Document profile details request", Response: workflow.DocumentProfile{},
		Audit: workflow.AuditDocumentInfo}, s.getDocumentProfileByID)
	s.handle(Operation{ID: "updateDocumentProfile", Method: http.MethodPut, Path: "/v1/document-profiles/:id", Tag: tag, Perm: perm,
		Summary: "Document profile update request", Request: workflow.DocumentProfile{}, LenientBody: true,
		BodyRequired: []string{"name"}, Response: workflow.DocumentProfile{},
		Audit: workflow.AuditDocumentUpdate}, s.updateDocumentProfile)
	s.handle(Operation{ID: "deleteDocumentProfile", Method: http.MethodDelete, Path: "/v1/document-profiles/:id", Tag: tag, Perm: perm,
		Summary: "Document profile delete request", Status: http.StatusNoContent,
		Audit: workflow.AuditDocumentDelete}, s.deleteDocumentProfile)
}

func (s *Server) getDocumentProfileByName(c *fiber.Ctx) error {
	name, err := requiredQuery(c, "name")
	if err != nil {
		return err
	}
	out, err := s.deps.Resources.GetDocumentProfileByName(c.UserContext(), actor(c).WorkspaceID, name)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) listDocumentProfiles(c *fiber.Ctx) error {
	out, err := s.deps.Resources.ListDocumentProfiles(c.UserContext(), actor(c).WorkspaceID, c.Query("group"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) createDocumentProfile(c *fiber.Ctx) error {
	var in workflow.DocumentProfile
	if err := decodeLenient(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Resources.CreateDocumentProfile(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(out)
}

func (s *Server) getDocumentProfileByID(c *fiber.Ctx) error {
	id, err := pathUUID(c, "id")
	if err != nil {
		return err
	}
	out, err := s.deps.Resources.GetDocumentProfile(c.UserContext(), actor(c).WorkspaceID, id)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) updateDocumentProfile(c *fiber.Ctx) error {
	id, err := pathUUID(c, "id")
	if err != nil {
		return err
	}
	var in workflow.DocumentProfile
	if err := decodeLenient(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Resources.UpdateDocumentProfile(c.UserContext(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) deleteDocumentProfile(c *fiber.Ctx) error {
	id, err := pathUUID(c, "id")
	if err != nil {
		return err
	}
	if err := s.deps.Resources.DeleteDocumentProfile(c.UserContext(), actor(c), id); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}
