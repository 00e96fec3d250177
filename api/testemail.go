package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/mail"
	"github.com/countersign/countersign/notify"
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
			"that has a template (en, lv, lt, et; English otherwise), and sends it now to the address that role has in the " +
			"process (processInitiatorEmail for INITIATOR, else the first such participant with a signerEmail); sentTo says where it went.",
		Query:   []Param{{Name: "role", Required: true, Description: "Recipient role for test email", Enum: roles}},
		Request: events.Process{}, LenientBody: true, Response: TestEmailResult{},
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
	out := TestEmailResult{Notification: n}
	if s.deps.Mail == nil {
		return c.JSON(out)
	}
	notice, err := workflow.NoticeFor(t, workflow.SignerRole(role), p)
	if err != nil {
		return err
	}
	text, err := workflow.RenderNotice(notice, p, s.deps.Mail.Portal)
	if err != nil {
		return err
	}
	m := s.deps.Mail
	msg := &mail.Message{From: m.From, To: []mail.Address{{Name: notice.Recipient.Name, Address: notice.Recipient.Email}},
		Subject: text.Subject, Text: text.Text, HTML: text.HTML, Date: time.Now().UTC(),
		MessageID: mail.MessageID(countersign.NewID("test", time.Now()), notify.Domain(m.From)),
		Header:    map[string]string{"X-Countersign-Notification": string(notice.Type) + " (test)"}}
	rec, err := m.Sender.Send(c.UserContext(), msg)
	if err != nil {
		return countersign.Errorf(countersign.EUNAVAILABLE, "the mail server did not take the test email to %s: %v", notice.Recipient.Email, err)
	}
	out.SentTo, out.MessageID, out.Reply = notice.Recipient.Email, msg.MessageID, rec.Reply
	return c.JSON(out)
}

// TestEmail is how sendTestEmail sends: the transport, the sender address
// and the signer portal's URL.
type TestEmail struct {
	Sender mail.Sender
	From   mail.Address
	Portal string
}

// TestEmailResult is the answer of sendTestEmail: the notification as
// rendered, and where the email went.
type TestEmailResult struct {
	workflow.Notification
	// SentTo is the address the test email was sent to.
	SentTo string `json:"sentTo,omitempty"`
	// MessageID is the email's Message-ID header.
	MessageID string `json:"messageId,omitempty"`
	// Reply is the mail server's answer ("250 2.0.0 Ok: queued as …"), or
	// where the file sender wrote the message.
	Reply string `json:"reply,omitempty"`
}
