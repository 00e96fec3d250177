// Package mail is Countersign's email transport: a Message, its RFC 5322 and
// MIME rendering, and the Senders that deliver it (SMTP, or .eml files in a
// directory when no SMTP server is configured). It knows nothing of processes
// or notifications: the caller renders the texts and owns the retry policy,
// which it bases on Temporary.
package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Address is a mailbox with an optional display name.
type Address = netmail.Address

// Message is one email to render and send. Text is required; with HTML the
// message is multipart/alternative (text first, so clients that prefer the
// last part they can show pick HTML).
type Message struct {
	From Address
	To   []Address
	// Subject, display names and every header value may hold any text: line
	// breaks and other control characters become spaces, so no input can
	// start a header of its own.
	Subject string
	Text    string
	HTML    string
	// MessageID is the caller's stable id ("<local@domain>", the angle
	// brackets added when missing): a retry sends the same Message-ID, so
	// receivers and their threading see one message.
	MessageID string
	// Date is when the message was composed; a retry keeps it.
	Date time.Time
	// Header holds extra headers (e.g. X-Countersign-Process). The headers
	// the package writes itself cannot be set here.
	Header map[string]string
}

// reserved are the headers Render writes; Header cannot override them.
var reserved = map[string]bool{
	"From": true, "To": true, "Cc": true, "Bcc": true, "Subject": true, "Date": true,
	"Message-Id": true, "Mime-Version": true, "Content-Type": true,
	"Content-Transfer-Encoding": true, "Auto-Submitted": true,
}

// ErrInvalid marks a message that cannot be rendered (a bad address, no
// text, a missing Message-ID or Date): sending it again will not help.
var ErrInvalid = errors.New("invalid message")

// invalid returns an ErrInvalid error saying what is wrong.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Render returns the message as RFC 5322 text with CRLF line ends: UTF-8
// parts in quoted-printable, RFC 2047 encoded subject and display names,
// Auto-Submitted: auto-generated. The same message always renders the same
// bytes (the MIME boundary derives from the Message-ID).
func (m *Message) Render() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	h := headerWriter{w: &b}
	h.write("From", formatAddress(m.From))
	to := make([]string, len(m.To))
	for i, a := range m.To {
		to[i] = formatAddress(a)
	}
	h.write("To", strings.Join(to, ", "))
	h.write("Subject", encodeText(m.Subject))
	h.write("Date", m.Date.Format(time.RFC1123Z))
	h.write("Message-ID", m.messageID())
	h.write("Auto-Submitted", "auto-generated")
	for _, k := range sortedKeys(m.Header) {
		h.write(textproto.CanonicalMIMEHeaderKey(k), encodeText(m.Header[k]))
	}
	h.write("MIME-Version", "1.0")
	if m.HTML == "" {
		h.write("Content-Type", "text/plain; charset=utf-8")
		h.write("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, m.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	mw := multipart.NewWriter(&b)
	// Quoted-printable never writes "=_" (it encodes "=" as =3D), so this
	// boundary cannot occur in a part.
	sum := sha256.Sum256([]byte(m.messageID()))
	if err := mw.SetBoundary("=_" + hex.EncodeToString(sum[:12])); err != nil {
		return nil, fmt.Errorf("set boundary: %w", err)
	}
	h.write("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("create %s part: %w", part.typ, err)
		}
		if err := writeQP(w, part.body); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("close multipart: %w", err)
	}
	return b.Bytes(), nil
}

// check refuses what cannot be rendered.
func (m *Message) check() error {
	if err := checkAddress("from", m.From); err != nil {
		return err
	}
	if len(m.To) == 0 {
		return invalid("no recipient")
	}
	for _, a := range m.To {
		if err := checkAddress("to", a); err != nil {
			return err
		}
	}
	switch id := m.messageID(); {
	case m.MessageID == "":
		return invalid("no Message-ID")
	case strings.ContainsAny(id, " \t\r\n") || strings.Count(id, "@") != 1 || strings.Count(id, "<") != 1 || strings.Count(id, ">") != 1:
		return invalid("Message-ID %q is not <local@domain>", m.MessageID)
	}
	if m.Date.IsZero() {
		return invalid("no Date")
	}
	if strings.TrimSpace(m.Text) == "" {
		return invalid("no text part")
	}
	for k := range m.Header {
		if !validHeaderName(k) {
			return invalid("header name %q", k)
		}
		if reserved[textproto.CanonicalMIMEHeaderKey(k)] {
			return invalid("header %s is written by the package", k)
		}
	}
	return nil
}

// messageID returns the Message-ID in angle brackets.
func (m *Message) messageID() string {
	id := strings.TrimSpace(m.MessageID)
	if !strings.HasPrefix(id, "<") {
		id = "<" + id + ">"
	}
	return id
}

// MessageID returns a Message-ID for the caller's stable key (e.g. an
// outbox row id) at domain: the same key always gives the same id.
func MessageID(key, domain string) string {
	return "<" + key + "@" + domain + ">"
}

// writeQP writes s quoted-printable with CRLF line ends.
func writeQP(w io.Writer, s string) error {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, s); err != nil {
		return fmt.Errorf("encode part: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("encode part: %w", err)
	}
	return nil
}
