package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"time"
)

// ErrNoSTARTTLS is the failure of an smtp:// sender whose server does not
// offer STARTTLS: the sender refuses to go on in clear text. It is
// temporary, like any fault of the server rather than of the message.
var ErrNoSTARTTLS = errors.New("server does not offer STARTTLS")

// SMTP sends messages to one SMTP server (see ParseURL). It opens a
// connection per message: notification mail is light, and a fresh
// connection never inherits a half-failed session. It is safe for
// concurrent use.
type SMTP struct {
	addr, host string
	security   Security
	user, pass string
	hello      string
	tlsConfig  *tls.Config
	dialer     net.Dialer
}

var _ Sender = (*SMTP)(nil)

// Send delivers m: connect, protect the connection as the URL says,
// authenticate, MAIL, RCPT per recipient, DATA. ctx bounds the whole
// exchange; its end aborts the connection. The Receipt carries the server's
// reply to DATA; an error is an *Error.
func (s *SMTP) Send(ctx context.Context, m *Message) (Receipt, error) {
	data, err := m.Render()
	if err != nil {
		return Receipt{}, &Error{Stage: "render", Err: err}
	}
	conn, err := s.dialer.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return Receipt{}, fail("dial", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// A past deadline unblocks whatever read or write is in progress.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	rec, serr := s.exchange(ctx, conn, m, data)
	if serr == nil {
		return rec, nil
	}
	if ctx.Err() != nil {
		serr.Err = fmt.Errorf("%w: %w", ctx.Err(), serr.Err)
	}
	return Receipt{}, serr
}

// exchange speaks SMTP on conn.
func (s *SMTP) exchange(ctx context.Context, conn net.Conn, m *Message, data []byte) (Receipt, *Error) {
	if s.security == ImplicitTLS {
		tc := tls.Client(conn, s.tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return Receipt{}, fail("tls", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return Receipt{}, fail("hello", err)
	}
	defer c.Close()
	if err := c.Hello(s.hello); err != nil {
		return Receipt{}, fail("hello", err)
	}
	if s.security == STARTTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return Receipt{}, &Error{Stage: "tls", Err: ErrNoSTARTTLS}
		}
		if err := c.StartTLS(s.tlsConfig); err != nil {
			return Receipt{}, fail("tls", err)
		}
	}
	if s.user != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return Receipt{}, &Error{Stage: "auth", Err: errors.New("server offers no AUTH")}
		}
		if err := c.Auth(smtp.PlainAuth("", s.user, s.pass, s.host)); err != nil {
			return Receipt{}, fail("auth", err)
		}
	}
	if err := c.Mail(m.From.Address); err != nil {
		return Receipt{}, fail("mail", err)
	}
	for _, to := range m.To {
		if err := c.Rcpt(to.Address); err != nil {
			return Receipt{}, fail("rcpt", err)
		}
	}
	reply, err := sendData(c, data)
	if err != nil {
		return Receipt{}, fail("data", err)
	}
	_ = c.Quit() // the message is accepted; a failed QUIT changes nothing
	return Receipt{Reply: reply}, nil
}

// sendData sends DATA and the message, and returns the server's final reply
// ("250 …"), which net/smtp's Data would discard.
func sendData(c *smtp.Client, msg []byte) (string, error) {
	id, err := c.Text.Cmd("DATA")
	if err != nil {
		return "", err
	}
	c.Text.StartResponse(id)
	_, _, err = c.Text.ReadResponse(354)
	c.Text.EndResponse(id)
	if err != nil {
		return "", err
	}
	w := c.Text.DotWriter()
	if _, err := w.Write(msg); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	code, text, err := c.Text.ReadResponse(250)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d %s", code, text), nil
}
