package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/mail"
	"github.com/countersign/countersign/mail/mailtest"
)

// messageList decodes a listMessages answer.
type messageList struct {
	Data []struct {
		ID           string `json:"id"`
		ProcessID    string `json:"process_id"`
		Notification string `json:"notification"`
		Status       string `json:"status"`
		Recipient    struct {
			Email string `json:"email"`
			Role  string `json:"role"`
		} `json:"recipient"`
	} `json:"data"`
	HasMore    bool    `json:"has_more"`
	NextCursor *string `json:"next_cursor"`
}

func listMessages(t *testing.T, h *harness, query string) messageList {
	t.Helper()
	res := h.do("GET", "/v1/messages?"+query, h.owner, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("listMessages?%s: %d %s", query, res.Status, res.Body)
	}
	var l messageList
	if err := json.Unmarshal(res.Body, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestListMessagesFiltersAndPages(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	w := newWorld(t, h)
	p := w.startedProcess()
	w.startedProcess()
	if l := listMessages(t, h, "process_id="+p.ID); len(l.Data) != 2 || l.HasMore {
		t.Fatalf("invitations of one process: %+v", l)
	}
	l := listMessages(t, h, "process_id="+p.ID+"&recipient=ONE@example.com&type=invitation&status=pending")
	if len(l.Data) != 1 || l.Data[0].Recipient.Email != "one@example.com" || l.Data[0].Recipient.Role != "SIGNER" {
		t.Fatalf("filtered: %+v", l)
	}
	if l := listMessages(t, h, "type=completed"); len(l.Data) != 0 {
		t.Errorf("type=completed: %+v", l)
	}
	if l := listMessages(t, h, "status=sent"); len(l.Data) != 0 {
		t.Errorf("status=sent: %+v", l)
	}
	if l := listMessages(t, h, "created_after=2100-01-01T00:00:00Z"); len(l.Data) != 0 {
		t.Errorf("period in the future: %+v", l)
	}
	// Pages of one, newest first, follow next_cursor to the end.
	seen := map[string]bool{}
	query := "limit=1"
	for page := 0; ; page++ {
		l := listMessages(t, h, query)
		for _, m := range l.Data {
			if seen[m.ID] {
				t.Fatalf("message %s on two pages", m.ID)
			}
			seen[m.ID] = true
		}
		if !l.HasMore {
			break
		}
		query = "limit=1&starting_after=" + *l.NextCursor
	}
	if len(seen) != 4 {
		t.Errorf("pages held %d messages, want 4 (two processes, two invitations each)", len(seen))
	}
	for _, bad := range []struct{ query, field string }{
		{"status=lost", "status"}, {"type=invoice", "type"}, {"process_id=nope", "process_id"},
		{"starting_after=dlv_1", "starting_after"}, {"limit=0", "limit"},
	} {
		res := h.do("GET", "/v1/messages?"+bad.query, h.owner, nil)
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), bad.field) {
			t.Errorf("%s: %d %s, want 400 naming %s", bad.query, res.Status, res.Body, bad.field)
		}
	}
}

func TestGetAndResendMessage(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	w := newWorld(t, h)
	id := w.sentMessage()
	m := h.expectJSON(http.StatusOK, "GET", "/v1/messages/"+id, h.owner, nil)
	attempts, _ := m["attempts"].([]any)
	if m["status"] != "sent" || len(attempts) != 1 || attempts[0].(map[string]any)["reply"] != "250 2.0.0 Ok" ||
		!strings.Contains(m["text"].(string), "Lease.pdf") || m["html"] == "" {
		t.Fatalf("getMessage: %v", m)
	}
	member, integrator := h.key(h.ws, countersign.RoleMember), h.key(h.ws, countersign.RoleIntegrator)
	if res := h.do("GET", "/v1/messages/"+id, member, nil); res.Status != http.StatusForbidden {
		t.Errorf("member reads a message: %d", res.Status)
	}
	if res := h.do("GET", "/v1/messages/"+id, integrator, nil); res.Status != http.StatusOK {
		t.Errorf("integrator reads a message: %d", res.Status)
	}
	if res := h.do("POST", "/v1/messages/"+id+"/resend", integrator, nil); res.Status != http.StatusForbidden {
		t.Errorf("integrator resends: %d", res.Status)
	}
	r := h.expectJSON(http.StatusAccepted, "POST", "/v1/messages/"+id+"/resend", h.owner, nil)
	if r["status"] != "pending" || r["id"] != id {
		t.Fatalf("resend: %v", r)
	}
	if res := h.do("POST", "/v1/messages/"+id+"/resend", h.owner, nil); res.Status != http.StatusConflict {
		t.Errorf("resend of a pending message: %d %s, want 409", res.Status, res.Body)
	}
	if res := h.do("GET", "/v1/messages/msg_01jq8m4w5x6y7z8a9b0c1d2e3f", h.owner, nil); res.Status != http.StatusNotFound {
		t.Errorf("unknown message: %d", res.Status)
	}
}

func TestSendTestEmailSends(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	sender, err := mail.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, api.Config{}, api.Deps{Mail: &api.TestEmail{Sender: sender,
		From: mail.Address{Name: "Countersign", Address: "noreply@countersign.example"}, Portal: "https://sign.example.com/p"}})
	// A line break in a name is refused where it enters; nothing is sent.
	injected := strings.Replace(testEmailProcess, `"signerName": "Anna Bērziņa",`, `"signerName": "Anna Bērziņa\r\nBcc: x@evil.example", "signerEmail": "anna@example.com",`, 1)
	if res := h.do("POST", "/v1/messages/test-email/TASK_STARTED?role=SIGNER", h.owner, injected); res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a CR/LF in a signer name: %d %s, want 422", res.Status, res.Body)
	}
	body := strings.Replace(testEmailProcess, `"signerName": "Anna Bērziņa",`, `"signerName": "Anna Bērziņa", "signerEmail": "anna@example.com",`, 1)
	body = strings.Replace(body, `"documentName": "Lease.pdf",`, `"documentName": "Lease.pdf", "processInitiatorEmail": "jane@example.com",`, 1)
	r := h.expectJSON(http.StatusOK, "POST", "/v1/messages/test-email/TASK_STARTED?role=SIGNER", h.owner, body)
	if r["sentTo"] != "anna@example.com" || !strings.HasPrefix(r["reply"].(string), "250") {
		t.Fatalf("answer %v", r)
	}
	got := srv.Received()
	if len(got) != 1 || got[0].To[0] != "anna@example.com" {
		t.Fatalf("received %+v", got)
	}
	p := mailtest.Parse(t, got[0].Data)
	if p.Header.Get("Bcc") != "" || p.Subject != "Lūdzam parakstīt: Lease.pdf" || p.Header.Get("Message-Id") != r["messageId"] {
		t.Errorf("headers %v subject %q", p.Header, p.Subject)
	}
	r = h.expectJSON(http.StatusOK, "POST", "/v1/messages/test-email/PROCESS_COMPLETED?role=INITIATOR", h.owner, body)
	if r["sentTo"] != "jane@example.com" {
		t.Errorf("initiator: %v", r)
	}
	res := h.do("POST", "/v1/messages/test-email/TASK_STARTED?role=VIEWER", h.owner, body)
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "role") {
		t.Errorf("a role with no address: %d %s", res.Status, res.Body)
	}
}

func TestProcessAddressesAreValidated(t *testing.T) {
	h := newHarness(t, api.Config{}, api.Deps{})
	for _, c := range []struct {
		mod   func(map[string]any)
		field string
	}{
		{func(b map[string]any) { b["processInitiatorEmail"] = "jane@" }, "processInitiatorEmail"},
		{func(b map[string]any) {
			bodySteps(b)[0].(map[string]any)["processStepSigners"].([]any)[0].(map[string]any)["signerEmail"] = "one\r\nBcc: x@evil.example"
		}, "signerEmail"},
	} {
		res := h.do("POST", "/v1/processes", h.owner, processBody(c.mod))
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), c.field) {
			t.Errorf("%s: %d %s, want 422 naming it", c.field, res.Status, res.Body)
		}
	}
}
