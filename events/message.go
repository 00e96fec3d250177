package events

import "time"

// MessageData is the payload of message.sent and message.failed: a
// notification email and how its last attempt went. It carries no body:
// the texts are in getMessage.
type MessageData struct {
	// ID is the message's id (msg_…), as getMessage takes it.
	ID        string `json:"id"`
	ProcessID string `json:"process_id"`
	// Notification is the kind of email: invitation, reminder, completed,
	// declined, cancelled or expired.
	Notification string `json:"notification"`
	// RecipientRole is SIGNER, APPROVER, VIEWER or INITIATOR.
	RecipientRole string `json:"recipient_role"`
	// SignerID is the participant's id; empty for the initiator.
	SignerID       string `json:"signer_id,omitempty"`
	RecipientEmail string `json:"recipient_email"`
	Subject        string `json:"subject"`
	// Status is sent or failed.
	Status   string `json:"status"`
	Attempts int    `json:"attempts"`
	// Reply is the mail server's last reply ("250 2.0.0 Ok: queued as …",
	// "550 5.1.1 User unknown"); Error says what failed, when the message failed.
	Reply string    `json:"reply,omitempty"`
	Error string    `json:"error,omitempty"`
	At    time.Time `json:"at"`
}

// MessageNotifications are the values of MessageData.Notification.
var MessageNotifications = []string{"invitation", "reminder", "completed", "declined", "cancelled", "expired"}

// MessageStatuses are the values of MessageData.Status: the final ones.
var MessageStatuses = []string{"sent", "failed"}

// exampleMessage returns Mari Tamm's invitation as type t leaves it.
func exampleMessage(t Type) (any, time.Time, string) {
	at := exampleTime("2025-06-02T09:31:05.114Z")
	m := MessageData{
		ID: "msg_2xq4k7m9c3bd5fgh8jnp6rstvw", ProcessID: exampleProcessID, Notification: "invitation",
		RecipientRole: string(SignerSigner), SignerID: exampleSigners[0].ID, RecipientEmail: exampleSigners[0].SignerEmail,
		Subject: "Palun allkirjastage: Master services agreement 2025 - Northwind and Tamm Consulting.pdf", Status: "sent", Attempts: 1,
		Reply: "250 2.0.0 Ok: queued as 4ZxK2n1Qm3", At: at,
	}
	if t == MessageFailed {
		m.Status, m.Reply = "failed", "550 5.1.1 <mari.tamm@tamm-consulting.example>: Recipient address rejected: User unknown"
		m.Error = "smtp rcpt: " + m.Reply
	}
	return m, at, ""
}
