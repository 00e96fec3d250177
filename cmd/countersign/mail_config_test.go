package main

import (
	"strings"
	"testing"

	"github.com/countersign/countersign/mail"
)

func TestMailConfiguration(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	bad := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"scheme", map[string]string{"COUNTERSIGN_SMTP_URL": "http://mail.example.com"}, "COUNTERSIGN_SMTP_URL"},
		{"clear-text password", map[string]string{"COUNTERSIGN_SMTP_URL": "smtp://u:secret@mail.example.com?tls=none",
			"COUNTERSIGN_MAIL_FROM": "a@example.com"}, "COUNTERSIGN_SMTP_URL"},
		{"no sender", map[string]string{"COUNTERSIGN_SMTP_URL": "smtp://mail.example.com"}, "COUNTERSIGN_MAIL_FROM"},
		{"sender", map[string]string{"COUNTERSIGN_MAIL_FROM": "not an address"}, "COUNTERSIGN_MAIL_FROM"},
		{"portal", map[string]string{"COUNTERSIGN_PORTAL_URL": "ftp://portal.example.com"}, "COUNTERSIGN_PORTAL_URL"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := loadConfig("serve", nil, env(c.env), new(strings.Builder), true)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want a usage error naming %s", err, c.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
	cfg, err := loadConfig("serve", nil, env(map[string]string{
		"COUNTERSIGN_SMTP_URL":   "smtps://user:s3cret@mail.example.com",
		"COUNTERSIGN_MAIL_FROM":  "Countersign <noreply@example.com>",
		"COUNTERSIGN_PORTAL_URL": "https://sign.example.com/portal",
	}), new(strings.Builder), true)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MailFrom.Address != "noreply@example.com" || cfg.PortalURL != "https://sign.example.com/portal" {
		t.Errorf("config %+v", cfg)
	}
	line := strings.Builder{}
	for _, a := range cfg.logAttrs() {
		line.WriteString(toString(a) + " ")
	}
	if strings.Contains(line.String(), "s3cret") || !strings.Contains(line.String(), "mail.example.com") {
		t.Errorf("start-up line %q: the SMTP password must be masked, the host shown", line.String())
	}
	def, err := loadConfig("serve", nil, env(nil), new(strings.Builder), true)
	if err != nil || def.SMTPURL != "" || def.MailDir != mail.DefaultDir || def.MailFrom.Address == "" {
		t.Errorf("defaults: %+v %v", def, err)
	}
}

// toString prints a log attribute value.
func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}
