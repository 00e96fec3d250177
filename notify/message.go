// Package notify is the notification email channel: the outbox message (one
// per notification and recipient, written with the change that caused it),
// its attempts, and the rules of sending it — attempt, classify the SMTP
// outcome, retry temporary failures on the delivery schedule, fail on a
// permanent refusal — with the same guarantees as webhook delivery. The
// transport is package mail; the queue and the database come in through the
// small interfaces declared here.
package notify

import (
	"time"

	"github.com/countersign/countersign/workflow"
)

// PrefixMessage is the prefix of message ids (msg_…).
const PrefixMessage = "msg"

// Status is where a message stands.
type Status string

// The statuses of a message.
const (
	// StatusPending messages are waiting for their next attempt.
	StatusPending Status = "pending"
	// StatusSent messages were accepted by the mail server.
	StatusSent Status = "sent"
	// StatusFailed messages were refused for good (SMTP 5xx) or ran out of attempts.
	StatusFailed Status = "failed"
)

// Statuses lists every status.
var Statuses = []Status{StatusPending, StatusSent, StatusFailed}

// Message is one notification email to one recipient, rendered when the
// change that caused it committed: what the recipient gets does not depend
// on when it is sent, and a retry or a resend sends the same bytes.
type Message struct {
	ID          string
	WorkspaceID string
	ProcessID   string
	// Key is the notification's stable key (workflow.Notice.Key), unique in
	// the workspace: a committed cause writes its message once.
	Key       string
	Type      workflow.NoticeType
	Cause     string
	Recipient workflow.Recipient
	Subject   string
	Text      string
	HTML      string
	Status    Status
	// Attempts counts every attempt, resends included.
	Attempts int
	// AttemptBase is Attempts when the current send began (0, or the count at
	// the last resend): the retry schedule counts from there.
	AttemptBase   int
	NextAttemptAt *time.Time
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	SentAt        *time.Time
}

// Task is the queue task of the next attempt of a message.
func (m Message) Task() Task {
	return Task{MessageID: m.ID, WorkspaceID: m.WorkspaceID, Attempt: m.Attempts + 1}
}

// Attempt is one try at handing a message to the mail server.
type Attempt struct {
	MessageID string
	Number    int
	StartedAt time.Time
	Latency   time.Duration
	// Outcome is sent, temporary or permanent.
	Outcome Outcome
	// Code is the SMTP reply code (0 when the failure was not a reply).
	Code int
	// Reply is the server's reply: "250 2.0.0 Ok: queued as …", or the
	// refusal, or where the file sender wrote the message.
	Reply string
	// Error is the failure, empty when sent.
	Error string
}

// Outcome classifies an attempt.
type Outcome string

// The outcomes of an attempt.
const (
	OutcomeSent      Outcome = "sent"
	OutcomeTemporary Outcome = "temporary"
	OutcomePermanent Outcome = "permanent"
)

// Filter narrows listMessages.
type Filter struct {
	ProcessID string
	// Recipient matches the recipient's email address, case-insensitively.
	Recipient     string
	Status        Status
	Type          workflow.NoticeType
	CreatedAfter  *time.Time
	CreatedBefore *time.Time
}
