package workflow

import (
	"strings"
	"testing"

	"github.com/countersign/countersign"
)

func TestNoticeFor(t *testing.T) {
	p := renderProcess()
	p.SigningProcessSteps[0].ProcessStepSigners[0].SignerEmail = "janis@example.com"
	p.SigningProcessSteps[0].ProcessStepSigners[0].SignerLanguage = "lv"
	p.SigningProcessSteps[1].ProcessStepSigners[0].SignerEmail = "mari@example.com"
	cases := []struct {
		typ   AuditType
		role  SignerRole
		want  NoticeType
		email string
		lang  string
	}{
		{AuditTaskStarted, RoleSigner, NoticeInvitation, "janis@example.com", "lv"},
		{AuditEmailReminder, RoleApprover, NoticeReminder, "mari@example.com", "en"},
		{AuditApproverDeclined, RoleInitiator, NoticeDeclined, "jane@example.com", "en"},
		{AuditProcessCanceled, RoleSigner, NoticeCancelled, "janis@example.com", "lv"},
		{AuditProcessCompleted, RoleInitiator, NoticeCompleted, "jane@example.com", "en"},
	}
	for _, c := range cases {
		n, err := NoticeFor(c.typ, c.role, p)
		if err != nil {
			t.Fatalf("%s/%s: %v", c.typ, c.role, err)
		}
		if n.Type != c.want || n.Recipient.Email != c.email || n.Recipient.Role != c.role || !strings.Contains(n.Key, ".test.") {
			t.Fatalf("%s/%s: %+v", c.typ, c.role, n)
		}
		got, err := RenderNotice(n, p, testPortal)
		if err != nil || got.Language != c.lang {
			t.Fatalf("%s/%s: rendered in %s: %v", c.typ, c.role, got.Language, err)
		}
	}
	refusals := []struct {
		typ         AuditType
		role        SignerRole
		code, field string
	}{
		{"NOPE", RoleSigner, countersign.EINVALID, "eventType"},
		{AuditTaskStarted, "OWNER", countersign.EINVALID, "role"},
		{AuditDocumentDownload, RoleSigner, countersign.EVALIDATION, "eventType"},
		{AuditProcessStarted, RoleSigner, countersign.EVALIDATION, "eventType"},
		{AuditTaskStarted, RoleViewer, countersign.EVALIDATION, "role"}, // Vic has no email
		{AuditTaskStarted, RoleAdministrator, countersign.EVALIDATION, "role"},
	}
	for _, c := range refusals {
		_, err := NoticeFor(c.typ, c.role, p)
		assertField(t, err, c.code, c.field)
	}
	p.ProcessInitiatorEmail = ""
	_, err := NoticeFor(AuditProcessCompleted, RoleInitiator, p)
	assertField(t, err, countersign.EVALIDATION, "role")
}
