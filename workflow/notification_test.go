package workflow

import (
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// notificationProcess is a started process: step 0 an LT signer and an LV
// signer (Anna) due 2026-03-11, step 1 an ET approver and a VIEWER without a
// language; the LV signer declined.
func notificationProcess() events.Process {
	due := time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC)
	return events.Process{
		ID: "9dce9e72-6bf9-4874-8dd1-44342027dd4f", DocumentName: "Lease.pdf", InitiatorName: "Jane Doe",
		Comment: "Replaced by v2", TotalSigners: 3, TotalSigned: 1,
		SigningProcessSteps: []events.Step{
			{ProcessOrder: 0, DueDate: &due, ProcessStepSigners: []events.Signer{
				{SignerName: "Jonas", SignerRole: "SIGNER", SignerLanguage: "lt", SigningStatus: "SIGNED"},
				{SignerName: "Anna", SignerRole: "SIGNER", SignerLanguage: "lv-LV", SigningStatus: "DECLINED",
					CommentForSigner: "Page 3 please"},
			}},
			{ProcessOrder: 1, ProcessStepSigners: []events.Signer{
				{SignerName: "Mari", SignerRole: "APPROVER", SignerLanguage: "ET"},
				{SignerName: "Vic", SignerRole: "VIEWER"},
			}},
		},
	}
}

func TestRenderNotificationPicksTheFirstSignersLanguage(t *testing.T) {
	p := notificationProcess()
	cases := []struct {
		typ      AuditType
		role     SignerRole
		lang     string
		subject  string
		contains []string
	}{
		{AuditTaskStarted, RoleSigner, "lt", "Prašome pasirašyti: Lease.pdf",
			[]string{"Laba diena, Jonas,", "Jane Doe prašo Jūsų pasirašyti dokumentą „Lease.pdf“.", "iki 2026-03-11 10:00 UTC", "Pasirašė: 1 iš 3."}},
		{AuditTaskStarted, RoleApprover, "et", "Palun kinnitada: Lease.pdf",
			[]string{"Tere, Mari!", "Jane Doe palub Teil dokument „Lease.pdf“ kinnitada."}},
		{AuditTaskStarted, RoleViewer, "en", "Please view: Lease.pdf",
			[]string{"Hello Vic,", `Jane Doe asks you to view the document "Lease.pdf".`}},
		{AuditTaskStarted, RoleInitiator, "en", "A new step started: Lease.pdf", []string{"Hello,", "has started"}},
		{AuditSignerDeclined, RoleApprover, "et", "Keeldutud: Lease.pdf", []string{"Anna keeldus dokumenti „Lease.pdf“ allkirjastada."}},
		{AuditApproverDeclined, RoleSigner, "lt", "Atmesta: Lease.pdf", []string{"Anna atsisakė pasirašyti dokumentą"}},
		{AuditProcessCanceled, RoleSigner, "lt", "Atšaukta: Lease.pdf", []string{"Jane Doe atšaukė", "Komentaras: Replaced by v2"}},
		{AuditProcessCompleted, RoleApprover, "et", "Lõpetatud: Lease.pdf", []string{"(1 / 3 allkirjastatud)"}},
		{AuditEmailReminder, RoleSigner, "lt", "Priminimas: Lease.pdf", []string{"prašome jį pasirašyti", "Terminas: 2026-03-11 10:00 UTC."}},
		// English only: the LT signer gets it in English.
		{AuditProcessStarted, RoleSigner, "en", "Signing process started: Lease.pdf", []string{"Hello Jonas,", "your turn to sign"}},
	}
	for _, c := range cases {
		t.Run(string(c.typ)+"/"+string(c.role), func(t *testing.T) {
			n, err := RenderNotification(c.typ, c.role, p)
			if err != nil {
				t.Fatal(err)
			}
			if n.Language != c.lang || n.Subject != c.subject || n.EventType != c.typ || n.Role != c.role {
				t.Fatalf("got %s %q (type %s, role %s), want %s %q", n.Language, n.Subject, n.EventType, n.Role, c.lang, c.subject)
			}
			for _, want := range c.contains {
				if !strings.Contains(n.Body, want) {
					t.Errorf("body lacks %q:\n%s", want, n.Body)
				}
			}
			if strings.Contains(n.Body, "\n\n\n") || !strings.HasSuffix(n.Body, "\n") || strings.HasPrefix(n.Body, "\n") {
				t.Errorf("body is not tidy: %q", n.Body)
			}
		})
	}
}

func TestRenderNotificationSkipsLanguagesWithoutTemplates(t *testing.T) {
	p := notificationProcess()
	// The first SIGNER speaks Finnish, the second Latvian: Latvian wins, addressed to Anna.
	p.SigningProcessSteps[0].ProcessStepSigners[0].SignerLanguage = "fi"
	n, err := RenderNotification(AuditTaskStarted, RoleSigner, p)
	if err != nil {
		t.Fatal(err)
	}
	if n.Language != "lv" || !strings.Contains(n.Body, "Labdien, Anna!") || !strings.Contains(n.Body, "Piezīme: Page 3 please") {
		t.Fatalf("got %s:\n%s", n.Language, n.Body)
	}
	// Nobody with a known language: English, to the first signer of the role.
	p.SigningProcessSteps[0].ProcessStepSigners[1].SignerLanguage = ""
	if n, _ = RenderNotification(AuditTaskStarted, RoleSigner, p); n.Language != "en" || !strings.Contains(n.Body, "Hello Jonas,") {
		t.Fatalf("got %s:\n%s", n.Language, n.Body)
	}
	// A flat signer list serves when the steps carry no signers.
	flat := events.Process{DocumentID: "doc-9", Signers: []events.Signer{{SignerName: "Ott", SignerRole: "SIGNER", SignerLanguage: "ee"}}}
	if n, _ = RenderNotification(AuditReminder, RoleSigner, flat); n.Language != "et" || n.Subject != "Meeldetuletus: doc-9" {
		t.Fatalf("flat list: %+v", n)
	}
}

func TestRenderNotificationEveryLanguageAndRole(t *testing.T) {
	p := notificationProcess()
	for _, name := range NotifyingTypes() {
		typ := AuditType(name)
		for _, lang := range NotificationLanguages(typ) {
			for _, role := range SignerRoles {
				for _, sg := range []*events.Signer{&p.SigningProcessSteps[0].ProcessStepSigners[0], &p.SigningProcessSteps[1].ProcessStepSigners[0], &p.SigningProcessSteps[1].ProcessStepSigners[1]} {
					sg.SignerLanguage, sg.SignerRole = lang, string(role)
				}
				n, err := RenderNotification(typ, role, p)
				if err != nil {
					t.Fatalf("%s/%s/%s: %v", typ, lang, role, err)
				}
				if want := lang; role.Participates() && n.Language != want {
					t.Errorf("%s/%s/%s: language %s", typ, lang, role, n.Language)
				}
				if n.Subject == "" || strings.ContainsAny(n.Subject, "\r\n") || len(n.Body) < 20 || strings.Contains(n.Body, "<no value>") {
					t.Errorf("%s/%s/%s: subject %q body %q", typ, lang, role, n.Subject, n.Body)
				}
			}
		}
	}
	for _, main := range []AuditType{AuditTaskStarted, AuditReminder, AuditProcessCompleted, AuditProcessCanceled, AuditSignerDeclined} {
		if got := strings.Join(NotificationLanguages(main), ","); got != "en,et,lt,lv" {
			t.Errorf("%s languages = %s", main, got)
		}
	}
}

func TestRenderNotificationRefusals(t *testing.T) {
	p := notificationProcess()
	_, err := RenderNotification("SIGNED", RoleSigner, p)
	assertField(t, err, countersign.EINVALID, "eventType")
	_, err = RenderNotification(AuditTaskStarted, "OWNER", p)
	assertField(t, err, countersign.EINVALID, "role")
	_, err = RenderNotification(AuditDocumentDownload, RoleSigner, p)
	assertField(t, err, countersign.EVALIDATION, "eventType")
	// Line breaks in a document name cannot split the subject.
	p.DocumentName = "Lease\r\nBcc: x@example.com"
	n, err := RenderNotification(AuditReminder, RoleSigner, p)
	if err != nil || strings.ContainsAny(n.Subject, "\r\n") {
		t.Fatalf("subject %q, %v", n.Subject, err)
	}
}
