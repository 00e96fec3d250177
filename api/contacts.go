package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// ContactPage is the answer of listContacts.
type ContactPage = Page[workflow.Contact]

// contactSortFields are the fields listContacts sorts by.
var contactSortFields = map[string]string{"name": "name", "email": "email", "createdAt": "createdAt"}

func (s *Server) contactRoutes() {
	const tag = "contacts-controller"
	perm := countersign.PermProcesses
	list := append([]Param{
		{Name: "owner", Required: true, Description: "The user whose PERSONAL contacts are listed."},
		{Name: "group", Required: true, Description: "The user's group, whose GROUP contacts are listed."},
		{Name: "name", Description: "Name contains this, ignoring case."},
		{Name: "email", Description: "Email contains this, ignoring case."},
		{Name: "personalCode", Description: "Personal code, ignoring case, spaces and hyphens."},
		scopeParam,
	}, pageableParams...)
	s.handle(Operation{ID: "listContacts", Method: http.MethodGet, Path: "/v1/contacts", Tag: tag, Perm: perm,
		Summary: "Contacts list request: the contacts a user sees", Query: list, Response: ContactPage{},
		Audit: workflow.AuditProcessGetAll}, s.listContacts)
	s.handle(Operation{ID: "createContact", Method: http.MethodPost, Path: "/v1/contacts", Tag: tag, Perm: perm,
		Summary: "Contact create request", Request: workflow.Contact{}, LenientBody: true,
		BodyRequired: []string{"name", "owner"}, Response: workflow.Contact{},
		Status: http.StatusCreated, Audit: workflow.AuditProcessUpdated}, s.createContact)
	s.handle(Operation{ID: "updateContact", Method: http.MethodPut, Path: "/v1/contacts", Tag: tag, Perm: perm,
		Summary: "Contact update request: the body's id names the contact", Query: ownerParams,
		Request: workflow.Contact{}, LenientBody: true, BodyRequired: []string{"id", "name", "owner"},
		Response: workflow.Contact{}, Audit: workflow.AuditProcessUpdated}, s.updateContact)
	s.handle(Operation{ID: "getContact", Method: http.MethodGet, Path: "/v1/contacts/:contactId", Tag: tag, Perm: perm,
		Summary: "Contact details request (Countersign's addition)", Query: ownerParams, Response: workflow.Contact{},
		Audit: workflow.AuditProcessGetOne}, s.getContact)
	s.handle(Operation{ID: "deleteContact", Method: http.MethodDelete, Path: "/v1/contacts/:contactId", Tag: tag, Perm: perm,
		Summary: "Contact delete request", Query: ownerParams, Status: http.StatusNoContent,
		Audit: workflow.AuditProcessDeleted}, s.deleteContact)
}

// onBehalf reads the user and group query parameters of a change or read of
// one contact or template.
func onBehalf(c *fiber.Ctx) (user, group string, err error) {
	if user, err = requiredQuery(c, "user"); err != nil {
		return "", "", err
	}
	if group, err = requiredQuery(c, "group"); err != nil {
		return "", "", err
	}
	return user, group, nil
}

func (s *Server) listContacts(c *fiber.Ctx) error {
	owner, err := requiredQuery(c, "owner")
	if err != nil {
		return err
	}
	group, err := requiredQuery(c, "group")
	if err != nil {
		return err
	}
	page, err := parsePageable(c, contactSortFields)
	if err != nil {
		return err
	}
	f := workflow.ContactFilter{User: owner, Group: group, Scopes: queryScopes(c),
		Name: c.Query("name"), Email: c.Query("email"), PersonalCode: c.Query("personalCode")}
	rows, total, err := s.deps.Resources.ListContacts(c.UserContext(), actor(c).WorkspaceID, f, page)
	if err != nil {
		return err
	}
	return c.JSON(NewPage(rows, total, page))
}

func (s *Server) createContact(c *fiber.Ctx) error {
	var in workflow.Contact
	if err := decodeLenient(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Resources.CreateContact(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(out)
}

func (s *Server) updateContact(c *fiber.Ctx) error {
	user, group, err := onBehalf(c)
	if err != nil {
		return err
	}
	var in workflow.Contact
	if err := decodeLenient(c, &in); err != nil {
		return err
	}
	switch {
	case in.ID == "":
		return countersign.FieldErrorf(countersign.EVALIDATION, "id", "is required: it names the contact to update")
	case !countersign.ValidUUID(in.ID):
		return countersign.FieldErrorf(countersign.EINVALID, "id", "id must be a UUID")
	}
	out, err := s.deps.Resources.UpdateContact(c.UserContext(), actor(c), user, group, in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) getContact(c *fiber.Ctx) error {
	id, err := pathUUID(c, "contactId")
	if err != nil {
		return err
	}
	user, group, err := onBehalf(c)
	if err != nil {
		return err
	}
	out, err := s.deps.Resources.GetContact(c.UserContext(), actor(c).WorkspaceID, id)
	if err != nil {
		return err
	}
	if !out.Ownership().VisibleTo(user, group) {
		return countersign.Errorf(countersign.EFORBIDDEN, "this %s contact is not visible to %s of %s", out.Scope, user, group)
	}
	return c.JSON(out)
}

func (s *Server) deleteContact(c *fiber.Ctx) error {
	id, err := pathUUID(c, "contactId")
	if err != nil {
		return err
	}
	user, group, err := onBehalf(c)
	if err != nil {
		return err
	}
	if err := s.deps.Resources.DeleteContact(c.UserContext(), actor(c), user, group, id); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}
