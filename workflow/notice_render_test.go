package workflow

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/golden"

	"github.com/countersign/countersign/events"
)

const testPortal = "https://sign.example.com/portal?tenant=acme"

// renderProcess is a process with fixed ids for golden renderings: step 0
// Jānis (SIGNER, signed) and Anna (SIGNER, declined with a comment), due
// 2026-03-11; step 1 Mari (APPROVER) and Vic (VIEWER).
func renderProcess() events.Process {
	due := time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC)
	return events.Process{
		ID: "9dce9e72-6bf9-4874-8dd1-44342027dd4f", DocumentName: "Lease <2026> & annex.pdf",
		InitiatorName: "Jane Doe", ProcessInitiatorEmail: "jane@example.com",
		Comment: "Replaced by v2", TotalSigners: 3, TotalSigned: 1,
		SigningProcessSteps: []events.Step{
			{ID: "step-0", ProcessOrder: 0, DueDate: &due, ProcessStepSigners: []events.Signer{
				{ID: "signer-janis", SignerName: "Jānis", SignerRole: "SIGNER", SigningStatus: "SIGNED",
					CommentForSigner: "Page 3 please"},
				{ID: "signer-anna", SignerName: "Anna", SignerRole: "SIGNER", SigningStatus: "DECLINED",
					SignerComment: "Wrong amount"},
			}},
			{ID: "step-1", ProcessOrder: 1, ProcessStepSigners: []events.Signer{
				{ID: "signer-mari", SignerName: "Mari", SignerRole: "APPROVER"},
				{ID: "signer-vic", SignerName: "Vic", SignerRole: "VIEWER"},
			}},
		},
	}
}

// goldenNotices are the notices rendered in every language: each type to
// the recipient it most often goes to.
var goldenNotices = []Notice{
	{Type: NoticeInvitation, Recipient: Recipient{Role: RoleSigner, SignerID: "signer-janis", Name: "Jānis"}},
	{Type: NoticeReminder, Recipient: Recipient{Role: RoleApprover, SignerID: "signer-mari", Name: "Mari"}},
	{Type: NoticeCompleted, Recipient: Recipient{Role: RoleViewer, SignerID: "signer-vic", Name: "Vic"}},
	{Type: NoticeDeclined, Reason: "signature_refusal", Recipient: Recipient{Role: RoleInitiator, Name: "Jane Doe"}},
	{Type: NoticeCancelled, Reason: ReasonCanceled, Recipient: Recipient{Role: RoleSigner, SignerID: "signer-janis", Name: "Jānis"}},
	{Type: NoticeExpired, Reason: ReasonDueDatePassed, Recipient: Recipient{Role: RoleInitiator, Name: "Jane Doe"}},
}

func TestRenderNoticeGolden(t *testing.T) {
	p := renderProcess()
	for _, n := range goldenNotices {
		for _, lang := range []string{"en", "lv", "lt", "et"} {
			t.Run(string(n.Type)+"/"+lang, func(t *testing.T) {
				n.ProcessID, n.Recipient.Language = p.ID, lang
				got, err := RenderNotice(n, p, testPortal)
				if err != nil {
					t.Fatal(err)
				}
				if got.Language != lang {
					t.Errorf("language %s", got.Language)
				}
				checkRendering(t, n, got)
				doc := "Subject: " + got.Subject + "\n\n" + got.Text + "\n===== text/html =====\n" + got.HTML
				golden.Check(t, "workflow", filepath.Join("notices", string(n.Type)+"."+lang+".golden"), []byte(doc))
			})
		}
	}
}

// checkRendering asserts what every rendering must have.
func checkRendering(t *testing.T, n Notice, got NoticeText) {
	t.Helper()
	if got.Subject == "" || strings.ContainsAny(got.Subject, "\r\n") || !strings.Contains(got.Subject, "Lease <2026> & annex.pdf") {
		t.Errorf("subject %q", got.Subject)
	}
	if strings.Contains(got.Text, "<no value>") || strings.Contains(got.Text, "\n\n\n") || !strings.Contains(got.Text, "Lease <2026> & annex.pdf") {
		t.Errorf("text:\n%s", got.Text)
	}
	// The HTML escapes what the text shows as is.
	if strings.Contains(got.HTML, "<2026>") || !strings.Contains(got.HTML, "Lease &lt;2026&gt; &amp; annex.pdf") {
		t.Errorf("html does not escape the document name:\n%s", got.HTML)
	}
	link := "https://sign.example.com/portal?processId=9dce9e72-6bf9-4874-8dd1-44342027dd4f&signerId=" + n.Recipient.SignerID + "&tenant=acme"
	wantLink := linked[n.Type] && n.Recipient.SignerID != ""
	if strings.Contains(got.Text, link) != wantLink || strings.Contains(got.HTML, strings.ReplaceAll(link, "&", "&amp;")) != wantLink {
		t.Errorf("link %s expected %v:\n%s\n%s", link, wantLink, got.Text, got.HTML)
	}
}

func TestRenderNoticeLanguageFallback(t *testing.T) {
	p := renderProcess()
	for lang, want := range map[string]string{"lv-LV": "lv", "LT": "lt", "ee": "et", "et_EE": "et", "fi": "en", "": "en", "en-GB": "en"} {
		n := Notice{Type: NoticeInvitation, ProcessID: p.ID, Recipient: Recipient{Role: RoleSigner, SignerID: "signer-janis", Name: "Jānis", Language: lang}}
		got, err := RenderNotice(n, p, "")
		if err != nil {
			t.Fatal(err)
		}
		if got.Language != want || strings.Contains(got.Text, "http") || strings.Contains(got.HTML, "<a ") {
			t.Errorf("%q: language %s (want %s); no portal, yet a link:\n%s", lang, got.Language, want, got.Text)
		}
	}
}

func TestRenderNoticeRefusals(t *testing.T) {
	p := renderProcess()
	if _, err := RenderNotice(Notice{Type: "fax"}, p, ""); err == nil {
		t.Error("rendered an unknown type")
	}
	n := goldenNotices[0]
	for _, portal := range []string{"javascript:alert(1)", "/relative", "ftp://x/y", "https://"} {
		if _, err := RenderNotice(n, p, portal); err == nil {
			t.Errorf("portal %q accepted", portal)
		}
	}
	// Markup in names and comments stays text in the HTML part.
	p.SigningProcessSteps[0].ProcessStepSigners[0].CommentForSigner = `<a href="javascript:x">click</a>`
	n.Recipient.Name = "<b>Jānis</b>"
	got, err := RenderNotice(n, p, testPortal)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got.HTML, "<b>") || strings.Contains(got.HTML, `href="javascript`) || !strings.Contains(got.Text, "<b>Jānis</b>") {
		t.Errorf("markup leaked into the HTML:\n%s", got.HTML)
	}
}
