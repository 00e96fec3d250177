package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/notify"
	"github.com/countersign/countersign/workflow"
)

// MessageStore is the notification email outbox, as the API reads it.
type MessageStore interface {
	List(ctx context.Context, workspaceID string, f notify.Filter, startingAfter string, limit int) ([]notify.Message, bool, error)
	Get(ctx context.Context, workspaceID, id string) (notify.Message, []notify.Attempt, error)
	Resend(ctx context.Context, workspaceID, id string) (notify.Message, error)
}

// MessageView is a notification email as the API shows it, without its texts.
type MessageView struct {
	Object    string `json:"object"`
	ID        string `json:"id"`
	ProcessID string `json:"process_id"`
	// Notification is the kind of email.
	Notification workflow.NoticeType `json:"notification"`
	// Cause is the event type that called for it.
	Cause         string        `json:"cause"`
	Recipient     RecipientView `json:"recipient"`
	Subject       string        `json:"subject"`
	Status        notify.Status `json:"status"`
	AttemptCount  int           `json:"attempt_count"`
	NextAttemptAt *time.Time    `json:"next_attempt_at"`
	LastError     *string       `json:"last_error"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
	SentAt        *time.Time    `json:"sent_at"`
}

// RecipientView is who a message goes to.
type RecipientView struct {
	// Role is SIGNER, APPROVER, VIEWER or INITIATOR.
	Role workflow.SignerRole `json:"role"`
	// SignerID is the participant's id; null for the initiator.
	SignerID *string `json:"signer_id"`
	Name     string  `json:"name"`
	Email    string  `json:"email"`
	// Language is the language the message is written in.
	Language string `json:"language"`
}

// MessageDetail is the answer of getMessage: the message, its texts and
// every attempt with the mail server's reply.
type MessageDetail struct {
	MessageView
	Text     string               `json:"text"`
	HTML     string               `json:"html"`
	Attempts []MessageAttemptView `json:"attempts"`
}

// MessageAttemptView is one attempt at sending a message.
type MessageAttemptView struct {
	Attempt   int       `json:"attempt"`
	StartedAt time.Time `json:"started_at"`
	LatencyMS float64   `json:"latency_ms"`
	// Outcome is sent, temporary (retried) or permanent (the message failed).
	Outcome notify.Outcome `json:"outcome"`
	// ReplyCode is the SMTP reply code; null when the failure was not a reply.
	ReplyCode *int    `json:"reply_code"`
	Reply     string  `json:"reply"`
	Error     *string `json:"error"`
}

// MessageList is a page of messages, newest first; next_cursor is the id to
// pass as starting_after for the next, older page, null on the last page.
type MessageList struct {
	Object     string        `json:"object"`
	Data       []MessageView `json:"data"`
	HasMore    bool          `json:"has_more"`
	NextCursor *string       `json:"next_cursor"`
}

// newMessageView returns the view of m.
func newMessageView(m notify.Message) MessageView {
	v := MessageView{Object: "message", ID: m.ID, ProcessID: m.ProcessID, Notification: m.Type, Cause: m.Cause,
		Recipient: RecipientView{Role: m.Recipient.Role, SignerID: optString(m.Recipient.SignerID), Name: m.Recipient.Name,
			Email: m.Recipient.Email, Language: m.Recipient.Language},
		Subject: m.Subject, Status: m.Status, AttemptCount: m.Attempts, NextAttemptAt: m.NextAttemptAt,
		LastError: optString(m.LastError), CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, SentAt: m.SentAt}
	return v
}

var messageListParams = []Param{
	{Name: "process_id", Description: "Only messages about this process."},
	{Name: "recipient", Description: "Only messages to this address (any case)."},
	{Name: "status", Enum: []string{string(notify.StatusPending), string(notify.StatusSent), string(notify.StatusFailed)}},
	{Name: "type", Description: "Only this kind of notification.", Enum: noticeTypeNames()},
	{Name: "created_after", Type: "date-time", Description: "Created at or after this time (RFC 3339)."},
	{Name: "created_before", Type: "date-time", Description: "Created before this time (RFC 3339)."},
	{Name: "limit", Type: "integer", Description: "1 to 1000 (default 100)."},
	{Name: "starting_after", Description: "A message id (msg_…), usually the previous page's next_cursor: the page after it, older messages."},
}

// noticeTypeNames lists the notification types.
func noticeTypeNames() []string {
	out := make([]string, len(workflow.NoticeTypes))
	for i, t := range workflow.NoticeTypes {
		out[i] = string(t)
	}
	return out
}

// messageRoutes are the outbox's routes. Reading follows the delivery log
// (owner, admin and integrator keys); resending, like replaying a delivery,
// is for owner and admin keys.
func (s *Server) messageRoutes() {
	const tag, base = "messages", "/v1/messages"
	s.handle(Operation{ID: "listMessages", Method: http.MethodGet, Path: base, Tag: tag, Perm: countersign.PermManageWebhooks,
		Summary: "List notification emails, newest first, with cursor pagination (next_cursor)", Query: messageListParams,
		Response: MessageList{}}, s.listMessages)
	s.handle(Operation{ID: "getMessage", Method: http.MethodGet, Path: base + "/:id", Tag: tag, Perm: countersign.PermManageWebhooks,
		Summary: "Get a notification email with its texts and every attempt with the mail server's reply", Response: MessageDetail{}}, s.getMessage)
	s.handle(Operation{ID: "resendMessage", Method: http.MethodPost, Path: base + "/:id/resend", Tag: tag, Perm: countersign.PermReplay,
		Summary:  "Send a sent or failed notification email again: the same texts and Message-ID, a fresh run of the retry schedule",
		Response: MessageView{}, Status: http.StatusAccepted}, s.resendMessage)
}

func (s *Server) listMessages(c *fiber.Ctx) error {
	f, after, limit, err := messageQuery(c)
	if err != nil {
		return err
	}
	ms, more, err := s.deps.Messages.List(c.UserContext(), actor(c).WorkspaceID, f, after, limit)
	if err != nil {
		return err
	}
	list := MessageList{Object: "list", Data: make([]MessageView, len(ms)), HasMore: more}
	for i, m := range ms {
		list.Data[i] = newMessageView(m)
	}
	if more {
		list.NextCursor = &list.Data[len(list.Data)-1].ID
	}
	return c.JSON(list)
}

// messageQuery reads listMessages' parameters; each bad one is a 400 (422
// for a range that ends before it starts) naming it.
func messageQuery(c *fiber.Ctx) (f notify.Filter, after string, limit int, err error) {
	if v := c.Query("starting_after"); v != "" {
		if !countersign.ValidID(notify.PrefixMessage, v) {
			return f, "", 0, countersign.FieldErrorf(countersign.EINVALID, "starting_after", "starting_after must be a msg_… id")
		}
		after = v
	}
	if v := c.Query("process_id"); v != "" {
		if !countersign.ValidUUID(v) {
			return f, "", 0, countersign.FieldErrorf(countersign.EINVALID, "process_id", "process_id must be a UUID")
		}
		f.ProcessID = v
	}
	f.Recipient = c.Query("recipient")
	if v := c.Query("status"); v != "" {
		if f.Status = notify.Status(v); f.Status != notify.StatusPending && f.Status != notify.StatusSent && f.Status != notify.StatusFailed {
			return f, "", 0, countersign.FieldErrorf(countersign.EINVALID, "status", "status must be pending, sent or failed")
		}
	}
	if v := c.Query("type"); v != "" {
		f.Type = workflow.NoticeType(v)
		if !validNoticeType(f.Type) {
			return f, "", 0, countersign.FieldErrorf(countersign.EINVALID, "type", "type must be one of invitation, reminder, completed, declined, cancelled, expired")
		}
	}
	if f.CreatedAfter, f.CreatedBefore, limit, err = periodAndLimit(c); err != nil {
		return f, "", 0, err
	}
	return f, after, limit, nil
}

// validNoticeType reports whether t is a notification type.
func validNoticeType(t workflow.NoticeType) bool {
	for _, k := range workflow.NoticeTypes {
		if k == t {
			return true
		}
	}
	return false
}

func (s *Server) getMessage(c *fiber.Ctx) error {
	id, err := pathID(c, "id", notify.PrefixMessage)
	if err != nil {
		return err
	}
	m, attempts, err := s.deps.Messages.Get(c.UserContext(), actor(c).WorkspaceID, id)
	if err != nil {
		return err
	}
	v := MessageDetail{MessageView: newMessageView(m), Text: m.Text, HTML: m.HTML, Attempts: make([]MessageAttemptView, len(attempts))}
	for i, a := range attempts {
		v.Attempts[i] = MessageAttemptView{Attempt: a.Number, StartedAt: a.StartedAt, LatencyMS: float64(a.Latency.Microseconds()) / 1000,
			Outcome: a.Outcome, Reply: a.Reply, Error: optString(a.Error)}
		if a.Code != 0 {
			code := a.Code
			v.Attempts[i].ReplyCode = &code
		}
	}
	return c.JSON(v)
}

func (s *Server) resendMessage(c *fiber.Ctx) error {
	id, err := pathID(c, "id", notify.PrefixMessage)
	if err != nil {
		return err
	}
	m, err := s.deps.Messages.Resend(c.UserContext(), actor(c).WorkspaceID, id)
	if err != nil {
		return err
	}
	return c.Status(http.StatusAccepted).JSON(newMessageView(m))
}
