package workflow

import (
	"fmt"

	"github.com/countersign/countersign/events"
)

// NoticeType is a kind of notification email.
type NoticeType string

// The notification emails. Which event sends which to whom is Notices' matrix.
const (
	// NoticeInvitation asks a participant to act (or, a VIEWER, to view) when
	// their action opens: the step starts, or its waiting period ends.
	NoticeInvitation NoticeType = "invitation"
	// NoticeReminder repeats the invitation while the action is open:
	// sendSignerEmail, sendReminders and automatic reminders.
	NoticeReminder NoticeType = "reminder"
	// NoticeCompleted tells the initiator and every participant that all acted.
	NoticeCompleted NoticeType = "completed"
	// NoticeDeclined tells the initiator (with the stall reason) and the
	// participants already invited that a participant refused.
	NoticeDeclined NoticeType = "declined"
	// NoticeCancelled tells the initiator and the participants already
	// invited that the process was cancelled.
	NoticeCancelled NoticeType = "cancelled"
	// NoticeExpired tells the initiator and the participants already invited
	// that time ran out (expiresAt or a step's dueDate).
	NoticeExpired NoticeType = "expired"
)

// NoticeTypes lists every notification type.
var NoticeTypes = []NoticeType{NoticeInvitation, NoticeReminder, NoticeCompleted, NoticeDeclined, NoticeCancelled, NoticeExpired}

// Recipient is who a notice goes to: a participant of the process (SIGNER,
// APPROVER or VIEWER, with SignerID) or its initiator (INITIATOR, no SignerID).
type Recipient struct {
	Role     SignerRole
	SignerID string
	Name     string
	Email    string
	// Language is the recipient's signerLanguage as given; rendering falls
	// back to English when it has no texts for it.
	Language string
}

// Notice is one notification email a change calls for: its type, who gets
// it and what caused it. Rendering it is RenderNotice's job.
type Notice struct {
	Type      NoticeType
	ProcessID string
	Recipient Recipient
	// Cause is the event that called for the notice.
	Cause events.Type
	// Reason is the stall reason of a decline or the reason of an expiry.
	Reason string
	// Key is unique per (cause, recipient) and stable: the same committed
	// change always gives the same keys. It is the outbox's idempotency key
	// and the basis of the Message-ID.
	Key string
}

// NoticeOptions are the mail switches and defaults of the process at hand.
type NoticeOptions struct {
	// MessagesDisabled turns every notification of the process off. It is
	// the flag cancelProcessWithMessageControl records (so a cancellation
	// with disableMessages sends nothing) and that a process can set for
	// its whole life.
	MessagesDisabled bool
	// InitiatorLanguage is the language of the initiator's mail ("" is English).
	InitiatorLanguage string
}

// Notices returns the notification emails that the events emitted by one
// change of a process call for. before is the process as it was before the
// change (nil for a new one), after as it is after; both are only read.
//
// The matrix, per event:
//
//	action.opened                   invitation → that participant
//	action.reminder.sent            reminder   → that participant
//	action.manualreminder.sent      reminder   → that participant
//	transaction.lifecycle.completed completed  → initiator, every participant
//	transaction.lifecycle.declined  declined   → initiator, invited participants but the decliner
//	transaction.lifecycle.cancelled cancelled  → initiator, invited participants
//	transaction.lifecycle.expired   expired    → initiator, invited participants
//
// A participant gets mail only with signerNotification true and an email; the
// initiator only with a processInitiatorEmail. "Invited" means the
// participant's action had opened before or during the change (waiting for
// action, or already acted): people never told of a process are not told it
// ended. With o.MessagesDisabled there are none.
func Notices(before, after *Process, emitted []Emitted, o NoticeOptions) []Notice {
	if o.MessagesDisabled {
		return nil
	}
	b := noticeBuilder{p: after, o: o, seen: map[string]bool{}, opened: map[string]bool{}}
	for _, e := range emitted {
		switch d := e.Data.(type) {
		case events.ActionData:
			switch e.Type {
			case events.ActionOpened:
				b.opened[d.Signer.ID] = true
				b.participant(NoticeInvitation, e.Type, "", d.Signer, "")
			case events.ActionReminderSent, events.ActionManualReminderSent:
				// Each reminder is its own notice: the signer's count tells them apart.
				n := 0
				if sg, ok := after.Signer(d.Signer.ID); ok {
					n = sg.Reminders
				}
				b.participant(NoticeReminder, e.Type, "", d.Signer, fmt.Sprint(n))
			case events.ActionStalled:
				if d.StallReason != events.StallDueDatePassed {
					b.decliner = d.Signer.ID
				}
			}
		case events.TransactionData:
			t, ok := outcomes[e.Type]
			if !ok {
				continue
			}
			b.initiator(t, e.Type, d.Reason)
			for _, sg := range after.Signers() {
				if sg.ID == b.decliner || (t != NoticeCompleted && !b.opened[sg.ID] && !invited(before, sg.ID)) {
					continue
				}
				b.participant(t, e.Type, d.Reason, sg.Payload(), "")
			}
		}
	}
	return b.out
}

// outcomes are the transaction events that end a process, and their notices.
var outcomes = map[events.Type]NoticeType{
	events.TransactionCompleted: NoticeCompleted,
	events.TransactionDeclined:  NoticeDeclined,
	events.TransactionCancelled: NoticeCancelled,
	events.TransactionExpired:   NoticeExpired,
}

// invited reports whether signer id's action had opened in p.
func invited(p *Process, id string) bool {
	if p == nil {
		return false
	}
	sg, ok := p.Signer(id)
	return ok && (sg.Status == SigningWaitingForAction || sg.ActedAt != nil)
}

// noticeBuilder collects the notices of one change, once per key.
type noticeBuilder struct {
	p        *Process
	o        NoticeOptions
	decliner string
	// opened holds the participants whose action opened in this change.
	opened map[string]bool
	seen   map[string]bool
	out    []Notice
}

// participant adds notice t for signer sg when sg is to get mail; suffix
// tells apart notices of one type to one signer.
func (b *noticeBuilder) participant(t NoticeType, cause events.Type, reason string, sg events.Signer, suffix string) {
	if !sg.SignerNotification || sg.SignerEmail == "" {
		return
	}
	b.add(Notice{Type: t, ProcessID: b.p.ID, Cause: cause, Reason: reason, Recipient: Recipient{
		Role: SignerRole(sg.SignerRole), SignerID: sg.ID, Name: sg.SignerName, Email: sg.SignerEmail, Language: sg.SignerLanguage,
	}}, sg.ID, suffix)
}

// initiator adds notice t for the process initiator, if it has an email.
func (b *noticeBuilder) initiator(t NoticeType, cause events.Type, reason string) {
	if b.p.ProcessInitiatorEmail == "" {
		return
	}
	b.add(Notice{Type: t, ProcessID: b.p.ID, Cause: cause, Reason: reason, Recipient: Recipient{
		Role: RoleInitiator, Name: firstOf(b.p.InitiatorName, b.p.Initiator), Email: b.p.ProcessInitiatorEmail,
		Language: b.o.InitiatorLanguage,
	}}, "initiator", "")
}

// add keys n and appends it unless a notice with its key is there already.
func (b *noticeBuilder) add(n Notice, who, suffix string) {
	n.Key = n.ProcessID + "." + string(n.Type) + "." + who
	if suffix != "" {
		n.Key += "." + suffix
	}
	if b.seen[n.Key] {
		return
	}
	b.seen[n.Key] = true
	b.out = append(b.out, n)
}
