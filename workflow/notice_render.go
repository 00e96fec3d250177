package workflow

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// NoticeText is a notice rendered for its recipient: the subject and the
// plain-text and HTML parts of one email, in Language.
type NoticeText struct {
	Subject  string
	Text     string
	HTML     string
	Language string
}

// noticeTexts are the texts each notice type renders (the templates of
// notification_text.go, shared with RenderNotification).
var noticeTexts = map[NoticeType]AuditType{
	NoticeInvitation: AuditTaskStarted,
	NoticeReminder:   AuditReminder,
	NoticeCompleted:  AuditProcessCompleted,
	NoticeDeclined:   AuditSignerDeclined,
	NoticeCancelled:  AuditProcessCanceled,
	NoticeExpired:    textExpired,
}

// linked are the notices that carry a link to the signer portal: those
// after which the participant can still do something there (act, or fetch
// the signed document).
var linked = map[NoticeType]bool{NoticeInvitation: true, NoticeReminder: true, NoticeCompleted: true}

// RenderNotice renders notice n about process p (as the change left it) in
// the recipient's language, English when there are no texts in it. portal
// is the signer portal's base URL (COUNTERSIGN_PORTAL_URL): a participant's
// invitation, reminder and completion mail link to it with the process and
// signer ids added to its query; "" leaves the link out. It is pure: the same
// input renders the same bytes.
func RenderNotice(n Notice, p events.Process, portal string) (NoticeText, error) {
	key, ok := noticeTexts[n.Type]
	if !ok {
		return NoticeText{}, countersign.FieldErrorf(countersign.EINVALID, "type", "%q is not a notice type", n.Type)
	}
	lang := languageKey(n.Recipient.Language)
	if !hasText(lang, key) {
		lang = DefaultLanguage
	}
	l := languages[lang]
	signers := processSigners(p)
	var recipient *located
	for i := range signers {
		if n.Recipient.SignerID != "" && signers[i].ID == n.Recipient.SignerID {
			recipient = &signers[i]
		}
	}
	d := notificationData(l, key, n.Recipient.Role, p, recipient, signers)
	d.Recipient = n.Recipient.Name
	d.Reason = n.Reason
	if r, ok := l.reasons[n.Reason]; ok {
		d.Reason = r
	}
	var subject, body strings.Builder
	msg := l.parsed[key]
	if err := msg.subject.Execute(&subject, d); err != nil {
		return NoticeText{}, fmt.Errorf("render %s subject (%s): %w", n.Type, lang, err)
	}
	if err := msg.body.Execute(&body, d); err != nil {
		return NoticeText{}, fmt.Errorf("render %s body (%s): %w", n.Type, lang, err)
	}
	out := NoticeText{Subject: strings.Join(strings.Fields(subject.String()), " "), Language: lang}
	page := htmlPage{Lang: lang, Subject: out.Subject, Footer: l.footer}
	text := tidyBody(body.String())
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		page.Paragraphs = append(page.Paragraphs, strings.Split(para, "\n"))
	}
	if linked[n.Type] && n.Recipient.SignerID != "" && portal != "" {
		link, err := PortalLink(portal, p.ID, n.Recipient.SignerID)
		if err != nil {
			return NoticeText{}, err
		}
		text += "\n" + l.open + ": " + link + "\n"
		page.Link, page.LinkText = link, l.open
	}
	out.Text = text + "\n-- \n" + l.footer + "\n"
	var html strings.Builder
	if err := htmlLayout.Execute(&html, page); err != nil {
		return NoticeText{}, fmt.Errorf("render %s html (%s): %w", n.Type, lang, err)
	}
	out.HTML = html.String()
	return out, nil
}

// PortalLink returns the signer portal link for signer signerID of process
// processID: base with processId and signerId set in its query. base must be
// an absolute http or https URL.
func PortalLink(base, processID, signerID string) (string, error) {
	u, err := CheckPortalURL(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("processId", processID)
	q.Set("signerId", signerID)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// CheckPortalURL parses a signer portal base URL: absolute, http or https.
func CheckPortalURL(base string) (*url.URL, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("portal URL %q is not an absolute http or https URL", base)
	}
	return u, nil
}

// htmlPage is what the HTML layout sees: the text part's paragraphs (lines
// kept), the portal link and the footer. html/template escapes every one
// (and would refuse a link that is not http or https).
type htmlPage struct {
	Lang, Subject string
	Paragraphs    [][]string
	Link          string
	LinkText      string
	Footer        string
}

// htmlLayout is the HTML part: the same words as the text part, so the two
// cannot say different things, and the link as a button.
var htmlLayout = template.Must(template.New("notice.html").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.5; color: #1f2328;">
{{range .Paragraphs}}<p>{{range $i, $line := .}}{{if $i}}<br>
{{end}}{{$line}}{{end}}</p>
{{end}}{{with .Link}}<p><a href="{{.}}" style="display: inline-block; padding: 10px 18px; background: #0b5cad; color: #ffffff; text-decoration: none; border-radius: 4px;">{{$.LinkText}}</a></p>
{{end}}<p style="color: #6e7781; font-size: 12px;">{{.Footer}}</p>
</body>
</html>
`))
