package mail

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Security is how an SMTP connection is protected.
type Security string

// The security modes of an SMTP URL.
const (
	// STARTTLS (smtp://, the default) upgrades the connection with STARTTLS
	// and fails when the server does not offer it: no silent plain text.
	STARTTLS Security = "starttls"
	// ImplicitTLS (smtps://) speaks TLS from the first byte.
	ImplicitTLS Security = "implicit"
	// NoTLS (smtp://host:25?tls=none) is the explicit opt-out for a local
	// relay: nothing is encrypted, even if the server offers STARTTLS.
	NoTLS Security = "none"
)

// Option changes how an SMTP sender connects.
type Option func(*SMTP)

// WithTLSConfig sets the TLS configuration (for example a private root
// pool); its ServerName is filled from the URL's host when empty.
func WithTLSConfig(c *tls.Config) Option {
	return func(s *SMTP) { s.tlsConfig = c.Clone() }
}

// WithHello sets the name the sender gives in EHLO (default "localhost").
func WithHello(name string) Option {
	return func(s *SMTP) { s.hello = name }
}

// ParseURL returns the SMTP sender an SMTP URL describes:
//
//	smtp://user:pass@host:587      STARTTLS required (default port 587)
//	smtps://user:pass@host:465     implicit TLS (default port 465)
//	smtp://host:25?tls=none        no TLS, for a relay on the same host or
//	                               network (default port 25)
//
// User and password are optional and percent-encoded; with them the sender
// authenticates with AUTH PLAIN. tls=none with credentials is refused unless
// the host is localhost, 127.0.0.1 or ::1, so a password never crosses a
// network in clear text.
func ParseURL(raw string, opts ...Option) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("SMTP URL: %w", err)
	}
	s := &SMTP{host: u.Hostname(), hello: "localhost"}
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return nil, fmt.Errorf("SMTP URL: unknown parameter %q (only tls)", k)
		}
	}
	port := u.Port()
	switch mode := q.Get("tls"); {
	case u.Scheme == "smtps" && (mode == "" || mode == string(ImplicitTLS)):
		s.security, port = ImplicitTLS, or(port, "465")
	case u.Scheme == "smtp" && (mode == "" || mode == string(STARTTLS)):
		s.security, port = STARTTLS, or(port, "587")
	case u.Scheme == "smtp" && mode == string(NoTLS):
		s.security, port = NoTLS, or(port, "25")
	case u.Scheme != "smtp" && u.Scheme != "smtps":
		return nil, fmt.Errorf("SMTP URL: scheme %q is not smtp or smtps", u.Scheme)
	default:
		return nil, fmt.Errorf("SMTP URL: tls=%q does not go with %s:// (smtp:// takes starttls or none)", mode, u.Scheme)
	}
	if s.host == "" {
		return nil, fmt.Errorf("SMTP URL: no host")
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("SMTP URL: unexpected path %q", u.Path)
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	if s.user != "" && s.security == NoTLS && !loopback(s.host) {
		return nil, fmt.Errorf("SMTP URL: tls=none with a password for %s would send it in clear text; use STARTTLS or smtps://", s.host)
	}
	for _, o := range opts {
		o(s)
	}
	if s.tlsConfig == nil {
		s.tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = s.host
	}
	return s, nil
}

// Security returns how the sender protects its connections.
func (s *SMTP) Security() Security { return s.security }

// Addr returns the host:port the sender dials.
func (s *SMTP) Addr() string { return s.addr }

// loopback reports whether host names this machine, as net/smtp's AUTH
// PLAIN sees it (it sends a password without TLS to these only).
func loopback(host string) bool {
	return strings.EqualFold(host, "localhost") || host == "127.0.0.1" || host == "::1"
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
