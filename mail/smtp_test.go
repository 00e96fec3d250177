package mail_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/mail"
	"github.com/countersign/countersign/mail/mailtest"
)

// testMessage is a bilingual notification with a non-ASCII subject and names.
func testMessage() *mail.Message {
	return &mail.Message{
		From:      mail.Address{Name: "Countersign", Address: "noreply@countersign.test"},
		To:        []mail.Address{{Name: "Jānis Bērziņš", Address: "janis@example.test"}},
		Subject:   "Lūdzam parakstīt: Līgums Nr. 7 — „Nomas“",
		Text:      "Labdien, Jānis!\n\nLūdzam parakstīt dokumentu.\n",
		HTML:      "<p>Labdien, Jānis!</p>\n<p>Lūdzam parakstīt dokumentu.</p>\n",
		MessageID: "<7f3c.0@countersign.test>",
		Date:      time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC),
		Header:    map[string]string{"X-Countersign-Process": "9dce9e72"},
	}
}

// send sends testMessage through url and returns the receipt and error.
func send(t *testing.T, url string, opts ...mail.Option) (mail.Receipt, error) {
	t.Helper()
	s, err := mail.ParseURL(url, opts...)
	if err != nil {
		t.Fatalf("ParseURL(%s): %v", url, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.Send(ctx, testMessage())
}

// assertDelivered checks that srv received exactly testMessage, intact.
func assertDelivered(t *testing.T, srv *mailtest.Server, wantTLS bool, wantUser string) {
	t.Helper()
	got := srv.Received()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	r := got[0]
	if r.From != "noreply@countersign.test" || strings.Join(r.To, ",") != "janis@example.test" || r.TLS != wantTLS || r.User != wantUser {
		t.Fatalf("envelope from %q to %v tls %v user %q", r.From, r.To, r.TLS, r.User)
	}
	want := testMessage()
	p := mailtest.Parse(t, r.Data)
	if p.Subject != want.Subject {
		t.Errorf("subject %q, want %q (raw %q)", p.Subject, want.Subject, p.Header.Get("Subject"))
	}
	for k, v := range map[string]string{
		"Message-Id": want.MessageID, "Auto-Submitted": "auto-generated", "Mime-Version": "1.0",
		"X-Countersign-Process": "9dce9e72", "Date": "Wed, 04 Mar 2026 10:30:00 +0000",
	} {
		if got := p.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	to, err := p.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Jānis Bērziņš" || to[0].Address != "janis@example.test" {
		t.Errorf("To = %v (%v)", to, err)
	}
	if p.Text != strings.ReplaceAll(want.Text, "\n", "\r\n") || p.HTML != strings.ReplaceAll(want.HTML, "\n", "\r\n") {
		t.Errorf("parts: text %q html %q", p.Text, p.HTML)
	}
}

func TestSendPlainRelay(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	rec, err := send(t, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rec.Reply, "250 ") || rec.Path != "" {
		t.Errorf("receipt %+v", rec)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if got, err := srv.Wait(ctx, 1); err != nil || len(got) != 1 {
		t.Fatalf("Wait: %d messages, %v", len(got), err)
	}
	assertDelivered(t, srv, false, "")
}

func TestSendAuthToALoopbackRelayWithoutTLS(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{User: "cs", Password: "secret"})
	if !strings.Contains(srv.URL(), "cs:secret@127.0.0.1") || !strings.HasSuffix(srv.URL(), "?tls=none") {
		t.Fatalf("url %s", srv.URL())
	}
	if _, err := send(t, srv.URL()); err != nil {
		t.Fatal(err)
	}
	assertDelivered(t, srv, false, "cs")
}

func TestSendSTARTTLSWithAuth(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{STARTTLS: true, User: "cs", Password: "p@ss:w/rd"})
	if _, err := send(t, srv.URL(), mail.WithTLSConfig(srv.TLS)); err != nil {
		t.Fatal(err)
	}
	assertDelivered(t, srv, true, "cs")
}

func TestSendImplicitTLS(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{ImplicitTLS: true, User: "cs", Password: "secret"})
	if _, err := send(t, srv.URL(), mail.WithTLSConfig(srv.TLS)); err != nil {
		t.Fatal(err)
	}
	assertDelivered(t, srv, true, "cs")
}

func TestSendRefusesPlainTextWhenSTARTTLSIsRequired(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{}) // offers no STARTTLS
	url := strings.Replace(srv.URL(), "?tls=none", "", 1)
	_, err := send(t, url)
	if !errors.Is(err, mail.ErrNoSTARTTLS) {
		t.Fatalf("err = %v, want ErrNoSTARTTLS", err)
	}
	if n := len(srv.Received()); n != 0 {
		t.Fatalf("server received %d messages in clear text", n)
	}
}

func TestSendFailures(t *testing.T) {
	unused := func() string { // a port nobody listens on
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}()
	cases := []struct {
		name      string
		opts      mailtest.Options
		url       string
		noTrust   bool
		temporary bool
		code      int
		reply     string
	}{
		{name: "4xx at DATA", opts: mailtest.Options{Data: func(int) error { return mailtest.Reply(451, "Try again later") }},
			temporary: true, code: 451, reply: "Try again later"},
		{name: "4xx at RCPT", opts: mailtest.Options{Rcpt: func(string) error { return mailtest.Reply(452, "Mailbox full for now") }},
			temporary: true, code: 452, reply: "Mailbox full for now"},
		{name: "5xx at RCPT", opts: mailtest.Options{Rcpt: func(string) error { return mailtest.Reply(550, "No such user") }},
			code: 550, reply: "No such user"},
		{name: "5xx at DATA", opts: mailtest.Options{Data: func(int) error { return mailtest.Reply(554, "Message rejected") }},
			code: 554, reply: "Message rejected"},
		{name: "dropped mid-DATA", opts: mailtest.Options{Data: func(int) error { return mailtest.Drop }}, temporary: true},
		{name: "wrong password", opts: mailtest.Options{STARTTLS: true, User: "cs", Password: "right"},
			url: "smtp://cs:wrong@", code: 535, reply: "authentication failed"},
		{name: "untrusted certificate", opts: mailtest.Options{STARTTLS: true}, noTrust: true, temporary: true},
		{name: "connection refused", url: "smtp://" + unused + "?tls=none", temporary: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := mailtest.Start(t, c.opts)
			url := srv.URL()
			switch {
			case strings.HasPrefix(c.url, "smtp://cs:wrong@"):
				url = c.url + srv.Addr
			case c.url != "":
				url = c.url
			}
			var opts []mail.Option
			if !c.noTrust {
				opts = append(opts, mail.WithTLSConfig(srv.TLS))
			}
			_, err := send(t, url, opts...)
			var me *mail.Error
			if !errors.As(err, &me) {
				t.Fatalf("err = %v (%T), want *mail.Error", err, err)
			}
			if mail.Temporary(err) != c.temporary || me.Code != c.code || !strings.Contains(me.Reply, c.reply) {
				t.Fatalf("err %v: temporary %v code %d reply %q; want %v %d %q", err, mail.Temporary(err), me.Code, me.Reply, c.temporary, c.code, c.reply)
			}
			if n := len(srv.Received()); n != 0 {
				t.Fatalf("server accepted %d messages", n)
			}
		})
	}
}

func TestSendAfterContextEnd(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s, err := mail.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.Send(ctx, testMessage())
	if !errors.Is(err, context.Canceled) || !mail.Temporary(err) {
		t.Fatalf("err = %v, want a temporary context.Canceled", err)
	}
}

func TestSendInvalidMessageIsPermanent(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s, err := mail.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	m := testMessage()
	m.To[0].Address = "not an address"
	_, err = s.Send(context.Background(), m)
	if !errors.Is(err, mail.ErrInvalid) || mail.Temporary(err) {
		t.Fatalf("err = %v, want a permanent ErrInvalid", err)
	}
}
