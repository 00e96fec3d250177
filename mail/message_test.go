package mail_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/golden"

	"github.com/countersign/countersign/mail"
	"github.com/countersign/countersign/mail/mailtest"
)

func TestRenderGolden(t *testing.T) {
	for name, m := range map[string]func() *mail.Message{
		"alternative": testMessage,
		"textonly": func() *mail.Message {
			m := testMessage()
			m.HTML, m.Header = "", nil
			m.Subject = "Reminder: a rather long plain ASCII subject that has to be folded onto a second line"
			return m
		},
	} {
		t.Run(name, func(t *testing.T) {
			raw, err := m().Render()
			if err != nil {
				t.Fatal(err)
			}
			again, _ := m().Render()
			if !bytes.Equal(raw, again) {
				t.Fatal("rendering the same message twice gave different bytes")
			}
			for i, line := range strings.Split(string(raw), "\r\n") {
				if len(line) > 78 || strings.ContainsAny(line, "\r\n") {
					t.Errorf("line %d is %d bytes or has a bare line break: %q", i+1, len(line), line)
				}
			}
			golden.Check(t, "mail", name+".eml", raw)
			p := mailtest.Parse(t, raw)
			if p.Subject != m().Subject || p.Text == "" {
				t.Errorf("parsed back: subject %q text %q", p.Subject, p.Text)
			}
		})
	}
}

// TestRenderHeaderInjection puts CR/LF in every text that reaches a header:
// none of them may start a header of its own.
func TestRenderHeaderInjection(t *testing.T) {
	const evil = "Lease\r\nBcc: victim@example.test\r\n\r\nInjected body"
	for _, ascii := range []bool{true, false} {
		m := testMessage()
		m.Subject = evil
		if !ascii {
			m.Subject = "Līgums " + evil
		}
		m.From.Name = "Countersign\nBcc: a@example.test"
		m.To[0].Name = "Jane\r\nX-Injected: 1"
		m.Header = map[string]string{"X-Countersign-Document": evil}
		raw, err := m.Render()
		if err != nil {
			t.Fatal(err)
		}
		p := mailtest.Parse(t, raw)
		for _, h := range []string{"Bcc", "X-Injected"} {
			if v, ok := p.Header[h]; ok {
				t.Errorf("header %s injected: %q\n%s", h, v, raw)
			}
		}
		if strings.Contains(p.Text, "Injected") || p.Subject != strings.Join(strings.Fields(m.Subject), " ") {
			t.Errorf("subject %q, text %q", p.Subject, p.Text)
		}
		to, err := p.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Name != "Jane X-Injected: 1" || to[0].Address != "janis@example.test" {
			t.Errorf("To = %v (%v)", to, err)
		}
	}
}

func TestRenderRefusesWhatItCannotRender(t *testing.T) {
	cases := map[string]func(*mail.Message){
		"address with CRLF":   func(m *mail.Message) { m.To[0].Address = "a@example.test\r\nBcc: b@example.test" },
		"not an address":      func(m *mail.Message) { m.From.Address = "countersign" },
		"no recipient":        func(m *mail.Message) { m.To = nil },
		"no Message-ID":       func(m *mail.Message) { m.MessageID = "" },
		"Message-ID with CR":  func(m *mail.Message) { m.MessageID = "<a@b>\r\nBcc: c@d" },
		"no date":             func(m *mail.Message) { m.Date = time.Time{} },
		"no text":             func(m *mail.Message) { m.Text = " \n" },
		"reserved header":     func(m *mail.Message) { m.Header = map[string]string{"bcc": "x@example.test"} },
		"header name with LF": func(m *mail.Message) { m.Header = map[string]string{"X-A\nBcc": "x"} },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			m := testMessage()
			change(m)
			if _, err := m.Render(); !errors.Is(err, mail.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestMessageIDIsStable(t *testing.T) {
	if got := mail.MessageID("msg-42", "countersign.test"); got != "<msg-42@countersign.test>" {
		t.Fatalf("MessageID = %q", got)
	}
	m := testMessage()
	m.MessageID = "msg-42@countersign.test" // brackets are added
	raw, err := m.Render()
	if err != nil {
		t.Fatal(err)
	}
	if got := mailtest.Parse(t, raw).Header.Get("Message-ID"); got != "<msg-42@countersign.test>" {
		t.Fatalf("Message-ID = %q", got)
	}
}
