package workflow

import (
	"strings"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// RemindOpen is sendReminders for one process: every signer whose action is
// open at now (WAITING_FOR_ACTION in a STARTED step, out of its waiting period
// and before its dueDate, of a STARTED process before its expiresAt) gets
// action.reminder.sent and one more reminder counted. Any other process has no
// open action: it returns no events and changes nothing.
func (p *Process) RemindOpen(now time.Time) []Emitted {
	var out []Emitted
	for i := range p.Steps {
		st := &p.Steps[i]
		for j := range st.Signers {
			sg := &st.Signers[j]
			if p.canAct(st, sg, "remind", now) != nil {
				continue
			}
			sg.Reminders++
			sg.RemindedAt = &now
			out = append(out, Emitted{Type: events.ActionReminderSent, Data: p.action(st, sg)})
		}
	}
	if len(out) > 0 {
		p.UpdatedAt = now
	}
	return out
}

// ManualReminder is sendSignerEmail: it emits action.manualreminder.sent for
// signer signerID and counts one more reminder. The signer's action must be open
// (as for Sign; ECONFLICT otherwise); an unknown signer is ENOTFOUND.
func (p *Process) ManualReminder(signerID string, now time.Time) ([]Emitted, error) {
	st, sg, err := p.openAction(signerID, "send a reminder", now)
	if err != nil {
		return nil, err
	}
	sg.Reminders++
	sg.RemindedAt = &now
	p.UpdatedAt = now
	return []Emitted{{Type: events.ActionManualReminderSent, Data: p.action(st, sg)}}, nil
}

// MaxMessageLength is the most characters a chat message may have.
const MaxMessageLength = 4000

// PostMessage records that signer signerID posted text to the process creator
// and emits transaction.chat.message.received with a new message UUID. Any
// signer of the process may post, whatever its own status, until the process
// ends (COMPLETED, DECLINED, CANCELED or EXPIRED: ECONFLICT). Text that is blank
// or longer than MaxMessageLength characters is EVALIDATION (field "message");
// an unknown signer is ENOTFOUND. The process itself does not change: messages
// are kept by the caller, not in the process.
func (p *Process) PostMessage(signerID, text string, now time.Time) ([]Emitted, error) {
	if err := checkText("message", text, MaxMessageLength); err != nil {
		return nil, err
	}
	if strings.TrimSpace(text) == "" {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "message", "is required")
	}
	if _, sg := p.findSigner(signerID); sg == nil {
		return nil, countersign.NotFound("signer")
	}
	if p.Status.Ended() {
		return nil, conflict("process is %s; cannot post a message", p.Status)
	}
	return []Emitted{{Type: events.ChatMessageReceived, Data: events.ChatMessageData{
		ID:        countersign.NewUUID(),
		ProcessID: p.ID,
		SignerID:  signerID,
		Message:   text,
		CreatedAt: now,
	}}}, nil
}
