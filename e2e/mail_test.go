package e2e

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/http"
	netmail "net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// smtpServer is an aiosmtpd process of the test's own (the server
// scripts/services.sh installs), on a free port, delivering into a Maildir.
// Running our own keeps the shared one on 2525 untouched, and lets the test
// stop and restart it.
type smtpServer struct {
	t       testing.TB
	bin     string
	addr    string
	maildir string
	runs    int
	p       *proc
}

// startSMTP starts the server. Without aiosmtpd the test is skipped, except
// in CI, where it fails.
func startSMTP(t testing.TB) *smtpServer {
	t.Helper()
	bin, err := exec.LookPath("aiosmtpd")
	if err != nil {
		skipOrFail(t, "aiosmtpd is not installed (scripts/services.sh installs python3-aiosmtpd): %v", err)
	}
	s := &smtpServer{t: t, bin: bin, addr: freeAddr(t), maildir: filepath.Join(t.TempDir(), "Maildir")}
	for _, d := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(s.maildir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s.start()
	t.Cleanup(func() {
		if s.p != nil && s.p.Running() {
			s.p.Kill()
		}
	})
	return s
}

// start runs the server and waits until it greets.
func (s *smtpServer) start() {
	s.t.Helper()
	s.runs++
	log := filepath.Join(filepath.Dir(s.maildir), fmt.Sprintf("aiosmtpd-%d.log", s.runs))
	s.p = startProc(s.t, "aiosmtpd", log, nil, s.bin, "-n", "-l", s.addr, "-c", "aiosmtpd.handlers.Mailbox", s.maildir)
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			buf := make([]byte, 3)
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
			_, err = c.Read(buf)
			c.Close()
			if err == nil && string(buf) == "220" {
				return
			}
		}
		if !s.p.Running() || time.Now().After(deadline) {
			s.p.dumpLog(s.t)
			s.t.Fatalf("aiosmtpd on %s did not start: %v", s.addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop kills the server: connections are refused until start.
func (s *smtpServer) stop() { s.p.Kill() }

// url is the COUNTERSIGN_SMTP_URL of the server (a local relay, no TLS).
func (s *smtpServer) url() string { return "smtp://" + s.addr + "?tls=none" }

// received is one message in the Maildir.
type received struct {
	To, Subject, MessageID, Notification, Process string
	// Arrived is when the server wrote the message into the Maildir.
	Arrived time.Time
}

// mails returns the messages delivered so far, in arrival order.
func (s *smtpServer) mails() []received {
	s.t.Helper()
	entries, err := os.ReadDir(filepath.Join(s.maildir, "new"))
	if err != nil {
		s.t.Fatal(err)
	}
	var out []received
	var dec mime.WordDecoder
	for _, e := range entries {
		f, err := os.Open(filepath.Join(s.maildir, "new", e.Name()))
		if err != nil {
			s.t.Fatal(err)
		}
		m, err := netmail.ReadMessage(f)
		if err != nil {
			f.Close()
			s.t.Fatalf("%s: %v", e.Name(), err)
		}
		subject, _ := dec.DecodeHeader(m.Header.Get("Subject"))
		to, _ := netmail.ParseAddress(m.Header.Get("To"))
		info, err := e.Info()
		if err != nil {
			f.Close()
			s.t.Fatal(err)
		}
		r := received{Subject: subject, MessageID: m.Header.Get("Message-Id"), Arrived: info.ModTime(),
			Notification: m.Header.Get("X-Countersign-Notification"), Process: m.Header.Get("X-Countersign-Process")}
		if to != nil {
			r.To = to.Address
		}
		f.Close()
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Arrived.Before(out[j].Arrived) })
	return out
}

// waitFor waits until the Maildir holds a message matching pred.
func (s *smtpServer) waitFor(what string, pred func(received) bool) received {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		for _, m := range s.mails() {
			if pred(m) {
				return m
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no %s arrived; the Maildir holds %+v", what, s.mails())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// is matches a notification of a process to an address.
func is(process, notification, to string) func(received) bool {
	return func(m received) bool { return m.Process == process && m.Notification == notification && m.To == to }
}

// mailProcess is a two-step process with mail on: ann signs, then bob.
func mailProcess() map[string]any {
	signer := func(name, email string) map[string]any {
		return map[string]any{"signerName": name, "signerEmail": email, "signerRole": "SIGNER", "signerNotification": true,
			"signerLanguage": "en", "signerCountry": "LV", "signerPersonalCode": "161175-19997"}
	}
	return map[string]any{"documentName": "Lease.pdf", "documentId": "doc-1", "initiator": "jdoe", "initiatorName": "Jane Doe",
		"processInitiatorEmail": "jane@example.com",
		"signingProcessSteps": []any{
			map[string]any{"processOrder": 0, "processStepSigners": []any{signer("Ann", "ann@example.com")}},
			map[string]any{"processOrder": 1, "processStepSigners": []any{signer("Bob", "bob@example.com")}},
		}}
}

// process is what the tests read of a process answer.
type mailProc struct {
	ID      string `json:"id"`
	Signers []struct {
		ID    string `json:"id"`
		Email string `json:"signerEmail"`
	} `json:"signers"`
}

// signerID returns the id of the signer with email.
func (p mailProc) signerID(t testing.TB, email string) string {
	t.Helper()
	for _, s := range p.Signers {
		if s.Email == email {
			return s.ID
		}
	}
	t.Fatalf("no signer %s in %+v", email, p)
	return ""
}

// startMailProcess creates and starts a mailProcess.
func startMailProcess(t testing.TB, c *cluster) mailProc {
	t.Helper()
	ctx := context.Background()
	var p mailProc
	if err := c.api.Must(ctx, http.StatusCreated, "POST", "/v1/processes", mailProcess(), &p); err != nil {
		t.Fatal(err)
	}
	if err := c.api.Must(ctx, http.StatusOK, "POST", "/v1/processes/"+p.ID+"/start", nil, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func newMailCluster(t *testing.T, smtp *smtpServer) *cluster {
	t.Helper()
	return newCluster(t, clusterConfig{env: []string{
		"COUNTERSIGN_SMTP_URL=" + smtp.url(), "COUNTERSIGN_MAIL_FROM=Countersign <noreply@countersign.example>",
		"COUNTERSIGN_PORTAL_URL=https://sign.example.com/portal",
	}})
}

func TestMailTwoStepProcess(t *testing.T) {
	t.Parallel()
	smtp := startSMTP(t)
	c := newMailCluster(t, smtp)
	c.serve()
	ctx := context.Background()
	p := startMailProcess(t, c)
	ann, bob := p.signerID(t, "ann@example.com"), p.signerID(t, "bob@example.com")

	smtp.waitFor("invitation to ann", is(p.ID, "invitation", "ann@example.com"))
	if err := c.api.Must(ctx, http.StatusOK, "POST", "/v1/signers/"+ann+"/reminders", nil, nil); err != nil {
		t.Fatal(err)
	}
	smtp.waitFor("reminder to ann", is(p.ID, "reminder", "ann@example.com"))
	for _, m := range smtp.mails() {
		if m.To == "bob@example.com" {
			t.Fatalf("bob was mailed before his step started: %+v", m)
		}
	}
	if err := c.api.Must(ctx, http.StatusOK, "POST", "/v1/processes/"+p.ID+"/signers/"+ann+"/sign", nil, nil); err != nil {
		t.Fatal(err)
	}
	smtp.waitFor("invitation to bob", is(p.ID, "invitation", "bob@example.com"))
	if err := c.api.Must(ctx, http.StatusOK, "POST", "/v1/processes/"+p.ID+"/signers/"+bob+"/sign", nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"jane@example.com", "ann@example.com", "bob@example.com"} {
		smtp.waitFor("completion mail to "+to, is(p.ID, "completed", to))
	}
	var order []string
	for _, m := range smtp.mails() {
		if m.Process == p.ID {
			order = append(order, m.Notification+"→"+strings.TrimSuffix(m.To, "@example.com"))
		}
	}
	want := []string{"invitation→ann", "reminder→ann", "invitation→bob"}
	if len(order) != 6 || strings.Join(order[:3], ",") != strings.Join(want, ",") {
		t.Errorf("mail in order %v, want %v then three completion mails", order, want)
	}

	// A cancellation with disableMessages sends nothing; the next process's
	// invitation shows the mail that would have gone out had.
	q := startMailProcess(t, c)
	smtp.waitFor("invitation of the second process", is(q.ID, "invitation", "ann@example.com"))
	if err := c.api.Must(ctx, http.StatusOK, "POST", "/v1/processes/"+q.ID+"/cancel-with-message-control",
		map[string]any{"disableMessages": true}, nil); err != nil {
		t.Fatal(err)
	}
	r := startMailProcess(t, c)
	smtp.waitFor("invitation of the third process", is(r.ID, "invitation", "ann@example.com"))
	for _, m := range smtp.mails() {
		if m.Process == q.ID && m.Notification == "cancelled" {
			t.Errorf("a cancellation with disableMessages sent %+v", m)
		}
	}
}

func TestMailSurvivesSMTPRestart(t *testing.T) {
	t.Parallel()
	smtp := startSMTP(t)
	c := newMailCluster(t, smtp)
	c.serve()
	ctx := context.Background()
	smtp.stop()
	var ids []string
	for range 5 {
		ids = append(ids, startMailProcess(t, c).ID)
	}
	// Wait until every invitation has failed at least once: the server is down.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var l struct {
			Data []struct {
				AttemptCount int    `json:"attempt_count"`
				Status       string `json:"status"`
			} `json:"data"`
		}
		if err := c.api.Must(ctx, http.StatusOK, "GET", "/v1/messages?limit=100", nil, &l); err != nil {
			t.Fatal(err)
		}
		tried := 0
		for _, m := range l.Data {
			if m.AttemptCount > 0 && m.Status == "pending" {
				tried++
			}
		}
		if tried == len(ids) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d invitations tried while the server was down", tried, len(ids))
		}
		time.Sleep(100 * time.Millisecond)
	}
	smtp.start()
	for _, id := range ids {
		smtp.waitFor("invitation of "+id, is(id, "invitation", "ann@example.com"))
	}
	seen := map[string]int{}
	for _, m := range smtp.mails() {
		seen[m.MessageID]++
	}
	if len(seen) != len(ids) {
		t.Errorf("%d distinct messages arrived, want %d", len(seen), len(ids))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s arrived %d times", id, n)
		}
	}
}
