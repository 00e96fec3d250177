package notify_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/countersign/countersign/mail/mailtest"
	"github.com/countersign/countersign/notify"
	"github.com/countersign/countersign/storage/storagetest"
)

// byStatus counts messages per status.
func byStatus(ms []notify.Message) map[notify.Status]int {
	out := map[notify.Status]int{}
	for _, m := range ms {
		out[m.Status]++
	}
	return out
}

func TestInvitationsAreSentOnce(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	e := startEngine(t, engineOptions{smtpURL: srv.URL()})
	// A header injection attempt through the document name and a signer name.
	e.process("Lease.pdf\r\nBcc: thief@evil.example", "Jānis\r\nX-Evil: 1")
	ms := e.settled()
	if got := byStatus(ms); got[notify.StatusSent] != 2 || len(ms) != 2 {
		t.Fatalf("statuses %v, want 2 sent", got)
	}
	got := srv.Received()
	if len(got) != 2 {
		t.Fatalf("server received %d messages, want 2", len(got))
	}
	for _, r := range got {
		if len(r.To) != 1 || strings.Contains(r.To[0], "evil") {
			t.Errorf("envelope recipients %v", r.To)
		}
		p := mailtest.Parse(t, r.Data)
		for _, h := range []string{"Bcc", "X-Evil"} {
			if v := p.Header.Get(h); v != "" {
				t.Errorf("injected header %s: %q", h, v)
			}
		}
		if !strings.HasPrefix(p.Subject, "Lūdzam parakstīt: Lease.pdf Bcc: thief@evil.example") {
			t.Errorf("subject %q", p.Subject)
		}
		if p.Header.Get("Auto-Submitted") != "auto-generated" || !strings.HasSuffix(p.Header.Get("Message-Id"), "@countersign.example>") {
			t.Errorf("headers %v", p.Header)
		}
		if !strings.Contains(p.Text, "https://sign.example.com/portal?processId=") || p.HTML == "" {
			t.Errorf("text part %q", p.Text)
		}
	}
	for _, m := range ms {
		as := e.attempts(m.ID)
		if len(as) != 1 || as[0].Outcome != notify.OutcomeSent || !strings.HasPrefix(as[0].Reply, "250 ") {
			t.Errorf("attempts of %s: %+v", m.ID, as)
		}
	}
}

func TestPermanentRefusalFails(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Rcpt: func(to string) error {
		if to == "two@example.com" {
			return mailtest.Reply(550, "5.1.1 User unknown")
		}
		return nil
	}})
	e := startEngine(t, engineOptions{smtpURL: srv.URL()})
	e.process("Lease.pdf", "One")
	ms := e.settled()
	if got := byStatus(ms); got[notify.StatusSent] != 1 || got[notify.StatusFailed] != 1 {
		t.Fatalf("statuses %v, want 1 sent and 1 failed", got)
	}
	for _, m := range ms {
		if m.Status != notify.StatusFailed {
			continue
		}
		as := e.attempts(m.ID)
		if len(as) != 1 || as[0].Code != 550 || as[0].Outcome != notify.OutcomePermanent || !strings.Contains(as[0].Reply, "User unknown") {
			t.Errorf("a 5xx is final after one attempt: %+v", as)
		}
	}
	var n int
	if err := storagetest.Get(context.Background(), e.db, &n, "SELECT COUNT(*) FROM events WHERE type = 'message.failed'"); err != nil || n != 1 {
		t.Errorf("%d message.failed events (%v), want 1", n, err)
	}
}

func TestDroppedMidDataIsRetriedWithTheSameMessageID(t *testing.T) {
	var drops atomic.Int32
	srv := mailtest.Start(t, mailtest.Options{Data: func(int) error {
		if drops.Add(1) <= 2 { // the first two sessions hang up mid-DATA
			return mailtest.Drop
		}
		return nil
	}})
	e := startEngine(t, engineOptions{smtpURL: srv.URL()})
	e.process("Lease.pdf", "One")
	ms := e.settled()
	if got := byStatus(ms); got[notify.StatusSent] != 2 {
		t.Fatalf("statuses %v, want 2 sent", got)
	}
	retried := 0
	for _, m := range ms {
		as := e.attempts(m.ID)
		if len(as) > 1 {
			retried++
			if as[0].Outcome != notify.OutcomeTemporary || as[len(as)-1].Outcome != notify.OutcomeSent {
				t.Errorf("attempts %+v", as)
			}
		}
	}
	if retried == 0 {
		t.Error("no message needed a retry")
	}
	ids := map[string]int{}
	for _, r := range srv.Received() {
		ids[mailtest.Parse(t, r.Data).Header.Get("Message-Id")]++
	}
	if len(ids) != 2 {
		t.Errorf("Message-IDs received %v, want 2 distinct", ids)
	}
}

func TestServerDownThenUpLosesNothing(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	r := &relay{t: t, addr: freeAddr(t), target: srv.Addr}
	// Nothing listens at first; new messages are not dispatched either, as
	// when Redis lost them: the reconciler must find them.
	e := startEngine(t, engineOptions{smtpURL: "smtp://" + r.addr + "?tls=none", noDispatch: true})
	p := e.process("Lease.pdf", "One")
	// Wait for the first failed attempts: the server is down.
	deadline := time.Now().Add(30 * time.Second)
	for {
		ms, _, err := e.db.Messages().List(context.Background(), e.ws.WorkspaceID, notify.Filter{ProcessID: p.ID}, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 2 && ms[0].Attempts > 0 && ms[1].Attempts > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no attempt was made: %+v", ms)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.start()
	ms := e.settled()
	if got := byStatus(ms); got[notify.StatusSent] != 2 {
		t.Fatalf("statuses %v, want 2 sent", got)
	}
	got := srv.Received()
	seen := map[string]bool{}
	for _, rc := range got {
		if seen[rc.To[0]] {
			t.Errorf("%s got the invitation twice", rc.To[0])
		}
		seen[rc.To[0]] = true
	}
	if len(got) != 2 {
		t.Errorf("received %d, want 2", len(got))
	}
	for _, m := range ms {
		if as := e.attempts(m.ID); as[0].Outcome != notify.OutcomeTemporary || as[0].Code != 0 {
			t.Errorf("first attempt while down: %+v", as[0])
		}
	}
}
