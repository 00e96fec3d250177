package mail_test

import (
	"strings"
	"testing"

	"github.com/countersign/countersign/mail"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		url      string
		security mail.Security
		addr     string
		err      string
	}{
		{url: "smtp://user:pass@mail.example.test", security: mail.STARTTLS, addr: "mail.example.test:587"},
		{url: "smtp://user:pass@mail.example.test:2587", security: mail.STARTTLS, addr: "mail.example.test:2587"},
		{url: "smtp://mail.example.test?tls=starttls", security: mail.STARTTLS, addr: "mail.example.test:587"},
		{url: "smtps://user:p%40ss@mail.example.test", security: mail.ImplicitTLS, addr: "mail.example.test:465"},
		{url: "smtp://relay.internal?tls=none", security: mail.NoTLS, addr: "relay.internal:25"},
		{url: "smtp://127.0.0.1:2525?tls=none", security: mail.NoTLS, addr: "127.0.0.1:2525"},
		{url: "smtp://u:p@localhost:25?tls=none", security: mail.NoTLS, addr: "localhost:25"},
		{url: "smtp://[::1]:25?tls=none", security: mail.NoTLS, addr: "[::1]:25"},
		{url: "smtp://u:p@relay.internal?tls=none", err: "clear text"},
		{url: "smtp://u:p@127.0.0.2?tls=none", err: "clear text"},
		{url: "smtps://mail.example.test?tls=none", err: "does not go with smtps"},
		{url: "smtp://mail.example.test?tls=off", err: `tls="off"`},
		{url: "smtp://mail.example.test?timeout=5s", err: "unknown parameter"},
		{url: "http://mail.example.test", err: "scheme"},
		{url: "smtp://", err: "no host"},
		{url: "smtp://mail.example.test/x", err: "path"},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			s, err := mail.ParseURL(c.url)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want one saying %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Security() != c.security || s.Addr() != c.addr {
				t.Fatalf("got %s %s, want %s %s", s.Security(), s.Addr(), c.security, c.addr)
			}
		})
	}
}
