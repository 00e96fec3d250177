// Package mailtest runs a real SMTP server in-process for tests (the
// go-smtp server library speaking the protocol on a loopback port), with
// STARTTLS or implicit TLS under a self-signed certificate, AUTH PLAIN, and
// scripted failures; and parses what it received back into headers and parts.
package mailtest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options shape a test server.
type Options struct {
	// STARTTLS offers STARTTLS with the server's self-signed certificate;
	// ImplicitTLS speaks TLS from the first byte. Neither: plain text.
	STARTTLS, ImplicitTLS bool
	// User and Password, when set, are the only AUTH PLAIN credentials
	// accepted, and MAIL is refused without them.
	User, Password string
	// Rcpt and Data, when set, decide the reply to RCPT and to the end of
	// DATA (nil accepts). Return Reply(code, text) for an SMTP reply, or Drop
	// to close the connection without a reply.
	Rcpt func(to string) error
	Data func(n int) error
}

// Drop, returned by Options.Data, closes the connection in the middle of
// DATA, after the client has started sending the message.
var Drop = errors.New("drop the connection")

// Reply returns the error that makes the server answer code and text.
func Reply(code int, text string) error {
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.NoEnhancedCode, Message: text}
}

// Received is one message the server accepted.
type Received struct {
	From string
	To   []string
	Data []byte
	// TLS reports whether the session was encrypted; User is who
	// authenticated, if anyone did.
	TLS  bool
	User string
}

// Server is a running test SMTP server; it stops when the test ends.
type Server struct {
	// Addr is host:port on 127.0.0.1.
	Addr string
	// TLS is a client configuration that trusts the server's certificate.
	TLS *tls.Config
	o   Options

	mu       sync.Mutex
	received []Received
	// changed is closed, and replaced, whenever a message is accepted.
	changed chan struct{}
}

// Start starts a server with options o on a free loopback port.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	cert, pool := selfSigned(t)
	srv := &Server{o: o, changed: make(chan struct{}),
		TLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{srv: srv, conn: c}, nil
	}))
	s.Domain = "mailtest.localhost"
	s.AllowInsecureAuth = !o.STARTTLS
	s.ErrorLog = log.New(io.Discard, "", 0)
	serverTLS := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if o.STARTTLS {
		s.TLSConfig = serverTLS
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	if o.ImplicitTLS {
		l = tls.NewListener(l, serverTLS)
	}
	srv.Addr = l.Addr().String()
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return srv
}

// URL returns the COUNTERSIGN_SMTP_URL that reaches the server as it was
// started: smtps:// for implicit TLS, smtp:// for STARTTLS, smtp://…?tls=none
// for plain text, with the credentials when it has some.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr}
	switch {
	case s.o.ImplicitTLS:
		u.Scheme = "smtps"
	case !s.o.STARTTLS:
		u.RawQuery = "tls=none"
	}
	if s.o.User != "" {
		u.User = url.UserPassword(s.o.User, s.o.Password)
	}
	return u.String()
}

// Received returns the messages accepted so far, in order.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Wait returns the messages accepted so far once there are at least n, for
// tests of mail sent in the background; it gives up when ctx ends.
func (s *Server) Wait(ctx context.Context, n int) ([]Received, error) {
	for {
		s.mu.Lock()
		got, changed := append([]Received(nil), s.received...), s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return got, fmt.Errorf("mailtest: %d of %d messages arrived: %w", len(got), n, ctx.Err())
		}
	}
}

// session is one SMTP session.
type session struct {
	srv  *Server
	conn *smtp.Conn
	msg  Received
	user string
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if ss.srv.o.User == "" || user != ss.srv.o.User || pass != ss.srv.o.Password {
			return Reply(535, "5.7.8 authentication failed")
		}
		ss.user = user
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.srv.o.User != "" && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	ss.msg = Received{From: from}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if f := ss.srv.o.Rcpt; f != nil {
		if err := f(to); err != nil {
			return err
		}
	}
	ss.msg.To = append(ss.msg.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	s := ss.srv
	s.mu.Lock()
	n := len(s.received)
	s.mu.Unlock()
	var verdict error
	if s.o.Data != nil {
		verdict = s.o.Data(n)
	}
	if errors.Is(verdict, Drop) {
		// Read the start of the message, so the client is mid-DATA, then hang up.
		_, _ = io.ReadFull(r, make([]byte, 64))
		_ = ss.conn.Conn().Close()
		return verdict
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if verdict != nil {
		return verdict
	}
	_, ss.msg.TLS = ss.conn.TLSConnectionState()
	ss.msg.Data, ss.msg.User = data, ss.user
	s.mu.Lock()
	s.received = append(s.received, ss.msg)
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	return nil
}

func (ss *session) Reset()        { ss.msg = Received{} }
func (ss *session) Logout() error { return nil }

// certPool returns a pool holding cert.
func certPool(cert *x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(cert)
	return p
}
