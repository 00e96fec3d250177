package workflow

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// Notification is a rendered notification email: what an audit event type
// sends to a recipient of one role (sendTestEmail answers it without sending).
type Notification struct {
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	Language  string     `json:"language"`
	EventType AuditType  `json:"eventType"`
	Role      SignerRole `json:"role"`
}

// DefaultLanguage is the language of a notification when no recipient's
// language has a template for it.
const DefaultLanguage = "en"

// RenderNotification renders the notification event type t sends to a
// recipient of role about process p. The recipient is the first signer of p
// with that role (steps in order, then the flat signer list) whose
// signerLanguage has a template for t; its name, note and step due date fill
// the text. When no such signer exists the text is English and addressed to
// the first signer with the role, if any.
//
// An unknown type or role is EINVALID (field eventType or role); a type that
// sends no notification is EVALIDATION (field eventType). It is pure: the
// same input always renders the same text.
func RenderNotification(t AuditType, role SignerRole, p events.Process) (Notification, error) {
	if !t.Valid() {
		return Notification{}, countersign.FieldErrorf(countersign.EINVALID, "eventType", "%q is not an audit event type", t)
	}
	if !role.Valid() {
		return Notification{}, countersign.FieldErrorf(countersign.EINVALID, "role", "%q is not one of VIEWER, SIGNER, APPROVER, INITIATOR, ADMINISTRATOR", role)
	}
	key := t
	if alias, ok := notificationAliases[t]; ok {
		key = alias
	}
	if !hasText(DefaultLanguage, key) {
		return Notification{}, countersign.FieldErrorf(countersign.EVALIDATION, "eventType",
			"%s sends no notification; these do: %s", t, strings.Join(NotifyingTypes(), ", "))
	}
	signers := processSigners(p)
	lang, recipient := DefaultLanguage, firstWithRole(signers, role, "")
	for i := range signers {
		if l := languageKey(signers[i].SignerLanguage); signers[i].SignerRole == string(role) && hasText(l, key) {
			lang, recipient = l, &signers[i]
			break
		}
	}
	data := notificationData(languages[lang], t, role, p, recipient, signers)
	msg := languages[lang].parsed[key]
	var subject, body strings.Builder
	if err := msg.subject.Execute(&subject, data); err != nil {
		return Notification{}, fmt.Errorf("render %s subject (%s): %w", t, lang, err)
	}
	if err := msg.body.Execute(&body, data); err != nil {
		return Notification{}, fmt.Errorf("render %s body (%s): %w", t, lang, err)
	}
	return Notification{
		Subject: strings.Join(strings.Fields(subject.String()), " "),
		Body:    tidyBody(body.String()),
		// The language is reported as the template's, never as the signer spelled it.
		Language:  lang,
		EventType: t,
		Role:      role,
	}, nil
}

// NotifyingTypes lists the audit types that send a notification, in the order of the audit types.
func NotifyingTypes() []string {
	var out []string
	for _, t := range AuditTypes {
		key := t
		if alias, ok := notificationAliases[t]; ok {
			key = alias
		}
		if hasText(DefaultLanguage, key) {
			out = append(out, string(t))
		}
	}
	return out
}

// NotificationLanguages lists the languages with templates for t, sorted.
func NotificationLanguages(t AuditType) []string {
	if alias, ok := notificationAliases[t]; ok {
		t = alias
	}
	var out []string
	for name, l := range languages {
		if _, ok := l.parsed[t]; ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// messageData is what a notification template sees.
type messageData struct {
	Recipient        string
	Document         string
	Initiator        string
	InitiatorEmail   string
	Comment          string
	CommentForSigner string
	DueDate          string
	// Action is the recipient's verb (sign, approve, view) in the language;
	// Acts reports whether the recipient's role acts on the document at all.
	Action string
	Acts   bool
	// Decliner is who declined and DeclinerAction what they refused to do.
	Decliner       string
	DeclinerAction string
	// DeclinerComment is the decliner's own comment; Reason the stall or
	// expiry reason of a notice (worded when the language has words for it).
	DeclinerComment string
	Reason          string
	TotalSigners    int
	TotalSigned     int
}

// notificationData fills the template data of a notification in language l.
func notificationData(l *language, t AuditType, role SignerRole, p events.Process, recipient *located, signers []located) messageData {
	d := messageData{
		Document:       firstOf(p.DocumentName, p.DocumentID, "—"),
		Initiator:      firstOf(p.InitiatorName, p.Initiator, p.ProcessInitiatorEmail, l.initiator),
		InitiatorEmail: p.ProcessInitiatorEmail,
		Comment:        p.Comment,
		Action:         l.verbs[role],
		Acts:           role.Participates(),
		TotalSigners:   p.TotalSigners,
		TotalSigned:    p.TotalSigned,
		Decliner:       l.signer,
		DeclinerAction: l.verbs[RoleSigner],
	}
	if t == AuditApproverDeclined {
		d.DeclinerAction = l.verbs[RoleApprover]
	}
	due := (*time.Time)(nil)
	if p.CurrentInProgressStep != nil {
		due = p.CurrentInProgressStep.DueDate
	}
	if recipient != nil {
		d.Recipient, d.CommentForSigner = recipient.SignerName, recipient.CommentForSigner
		if recipient.due != nil {
			due = recipient.due
		}
	}
	if due != nil {
		d.DueDate = due.UTC().Format("2006-01-02 15:04 UTC")
	}
	if sg := firstWithRole(signers, "", string(SigningDeclined)); sg != nil {
		d.Decliner = firstOf(sg.SignerName, sg.SignerEmail, l.signer)
		d.DeclinerComment = sg.SignerComment
		if v, ok := l.verbs[SignerRole(sg.SignerRole)]; ok && SignerRole(sg.SignerRole).MustAct() {
			d.DeclinerAction = v
		}
	}
	return d
}

// located is a signer of a process with the due date of its step.
type located struct {
	events.Signer
	due *time.Time
}

// processSigners returns the signers of p in step order, or its flat signer
// list when the steps carry none (clients may send either).
func processSigners(p events.Process) []located {
	var out []located
	for _, st := range p.SigningProcessSteps {
		for _, sg := range st.ProcessStepSigners {
			out = append(out, located{Signer: sg, due: st.DueDate})
		}
	}
	if len(out) == 0 {
		for _, sg := range p.Signers {
			out = append(out, located{Signer: sg})
		}
	}
	return out
}

// firstWithRole returns the first signer with the role and signing status
// given (an empty one matches any), or nil.
func firstWithRole(signers []located, role SignerRole, status string) *located {
	for i := range signers {
		if (role == "" || signers[i].SignerRole == string(role)) && (status == "" || signers[i].SigningStatus == status) {
			return &signers[i]
		}
	}
	return nil
}

// hasText reports whether language lang has a template for t.
func hasText(lang string, t AuditType) bool {
	l, ok := languages[lang]
	if !ok {
		return false
	}
	_, ok = l.parsed[t]
	return ok
}

// languageKey maps a signer's language tag to a template language: the primary
// subtag, lower case (lv-LV is lv); "ee", a common slip for Estonian, is et.
func languageKey(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	tag, _, _ = strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	if tag == "ee" {
		return "et"
	}
	return tag
}

// firstOf returns the first non-blank value.
func firstOf(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// tidyBody trims trailing spaces, squeezes runs of blank lines to one and ends
// the body with one newline.
func tidyBody(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")) + "\n"
}

// message is a parsed subject and body template.
type message struct {
	subject, body *template.Template
}

// parse parses the templates of every language; a broken template panics at
// start, and the tests render every one.
func parse(name string, m messageText) message {
	return message{
		subject: template.Must(template.New(name + ".subject").Option("missingkey=error").Parse(m.subject)),
		body:    template.Must(template.New(name + ".body").Option("missingkey=error").Parse(m.body)),
	}
}
