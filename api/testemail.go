package api

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/workflow"
)

func (s *Server) testEmailRoutes() {
	roles := make([]string, len(workflow.SignerRoles))
	for i, r := range workflow.SignerRoles {
		roles[i] = string(r)
	}
	s.handle(Operation{ID: "sendTestEmail", Method: http.MethodPost, Path: "/v1/messages/test-email/:eventType",
		Tag: "message-controller", Perm: countersign.PermProcesses,
		Summary: "Test email send request: renders the notification eventType (" + strings.Join(workflow.NotifyingTypes(), ", ") +
			") sends to a recipient of role about the process in the body, in the language of the first signer with that role " +
			"that has a template (en, lv, lt, et; English otherwise). Nothing is sent.",
		Query:   []Param{{Name: "role", Required: true, Description: "Recipient role for test email", Enum: roles}},
		Request: events.Process{}, LenientBody: true, Response: workflow.Notification{},
		Audit: workflow.AuditEmailReminder}, s.sendTestEmail)
}

func (s *Server) sendTestEmail(c *fiber.Ctx) error {
	t := workflow.AuditType(c.Params("eventType"))
	if !t.Valid() {
		return countersign.FieldErrorf(countersign.EINVALID, "eventType", "%q is not an audit event type", t)
	}
	role, err := requiredQuery(c, "role")
	if err != nil {
		return err
	}
	var p events.Process
	if err := decodeLenient(c, &p); err != nil {
		return err
	}
	n, err := workflow.RenderNotification(t, workflow.SignerRole(role), p)
	if err != nil {
		return err
	}
	return c.JSON(n)
}
