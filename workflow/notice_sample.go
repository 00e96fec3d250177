package workflow

import (
	"strings"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// auditNotices are the notices sendTestEmail can name by audit type.
var auditNotices = map[AuditType]NoticeType{
	AuditTaskStarted:      NoticeInvitation,
	AuditReminder:         NoticeReminder,
	AuditEmailReminder:    NoticeReminder,
	AuditProcessCompleted: NoticeCompleted,
	AuditSignerDeclined:   NoticeDeclined,
	AuditApproverDeclined: NoticeDeclined,
	AuditProcessCanceled:  NoticeCancelled,
}

// NoticeFor is sendTestEmail's notice: notice type t (named by its audit
// type) to the recipient of role in process p, as posted: the initiator at
// processInitiatorEmail, or the first participant with the role (steps in
// order, then the flat signer list) that has a signerEmail. The notice is
// keyed like no real one ("test" in its key), so it never stands for one.
//
// An unknown type or role is EINVALID; a type that sends no notice, or a
// role with no address in p, is EVALIDATION naming eventType or role.
func NoticeFor(t AuditType, role SignerRole, p events.Process) (Notice, error) {
	if !t.Valid() {
		return Notice{}, countersign.FieldErrorf(countersign.EINVALID, "eventType", "%q is not an audit event type", t)
	}
	if !role.Valid() {
		return Notice{}, countersign.FieldErrorf(countersign.EINVALID, "role", "%q is not one of VIEWER, SIGNER, APPROVER, INITIATOR, ADMINISTRATOR", role)
	}
	nt, ok := auditNotices[t]
	if !ok {
		names := make([]string, 0, len(auditNotices))
		for _, a := range AuditTypes {
			if _, ok := auditNotices[a]; ok {
				names = append(names, string(a))
			}
		}
		return Notice{}, countersign.FieldErrorf(countersign.EVALIDATION, "eventType",
			"%s sends no notification email; these do: %s", t, strings.Join(names, ", "))
	}
	n := Notice{Type: nt, ProcessID: p.ID, Key: p.ID + ".test." + string(nt) + "." + string(role)}
	switch {
	case role == RoleInitiator:
		if p.ProcessInitiatorEmail == "" {
			return Notice{}, countersign.FieldErrorf(countersign.EVALIDATION, "role", "the process has no processInitiatorEmail")
		}
		n.Recipient = Recipient{Role: role, Name: firstOf(p.InitiatorName, p.Initiator), Email: p.ProcessInitiatorEmail}
		return n, nil
	case role.Participates():
		for _, sg := range processSigners(p) {
			if sg.SignerRole == string(role) && sg.SignerEmail != "" {
				n.Recipient = Recipient{Role: role, SignerID: sg.ID, Name: sg.SignerName, Email: sg.SignerEmail, Language: sg.SignerLanguage}
				return n, nil
			}
		}
		return Notice{}, countersign.FieldErrorf(countersign.EVALIDATION, "role", "no %s of the process has a signerEmail", role)
	}
	return Notice{}, countersign.FieldErrorf(countersign.EVALIDATION, "role", "%s has no address in a process; use INITIATOR, SIGNER, APPROVER or VIEWER", role)
}
