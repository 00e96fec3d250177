package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/workflow"
)

func TestProcessMessages(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	p := s.newProcess(s.owner, processBody())
	path := signerPath(p, "Two", "messages")
	res := s.expect(http.StatusCreated, "POST", path, s.owner, map[string]any{"message": "Is page 3 right?"})
	checkGolden(t, "process_message", res.Body)
	var msg events.ChatMessageData
	decodeInto(t, res, &msg)
	if msg.Message != "Is page 3 right?" || msg.ProcessID != p.ID || msg.SignerID != signerIDs(p)["Two"] {
		t.Fatalf("message %+v", msg)
	}
	s.expect(http.StatusCreated, "POST", path, s.owner, map[string]any{"message": "And page 4?"})
	page := s.expect(200, "GET", "/v1/processes/"+p.ID+"/messages?size=1", s.owner, nil)
	checkGolden(t, "process_message_page", page.Body)
	if !strings.Contains(string(page.Body), "Is page 3 right?") || !strings.Contains(string(page.Body), `"totalElements":2`) {
		t.Fatalf("messages %s", page.Body)
	}
	if got := s.processEvents(p.ID); len(got) != 3 || got[2] != "transaction.chat.message.received" {
		t.Fatalf("events %v", got)
	}
	_, other := s.otherWorkspace()
	for _, tc := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		field                     string
	}{
		{"blank", "POST", path, s.owner, map[string]any{"message": "  "}, 422, "message"},
		{"missing", "POST", path, s.owner, map[string]any{}, 422, "message"},
		{"too long", "POST", path, s.owner, map[string]any{"message": strings.Repeat("é", workflow.MaxMessageLength+1)}, 422, "message"},
		{"wrong type", "POST", path, s.owner, map[string]any{"message": true}, 400, "message"},
		{"unknown field", "POST", path, s.owner, map[string]any{"message": "x", "to": "y"}, 400, "to"},
		{"unknown signer", "POST", "/v1/processes/" + p.ID + "/signers/" + countersign.NewUUID() + "/messages", s.owner, map[string]any{"message": "x"}, 404, ""},
		{"other workspace", "POST", path, other, map[string]any{"message": "x"}, 404, ""},
		{"other workspace list", "GET", "/v1/processes/" + p.ID + "/messages", other, nil, 404, ""},
		{"list bad uuid", "GET", "/v1/processes/x/messages", s.owner, nil, 400, "processId"},
	} {
		res := s.do(tc.method, tc.path, tc.token, tc.body)
		if res.Status != tc.status || (tc.field != "" && res.ErrorField(t) != tc.field) {
			t.Errorf("%s: %d %s, want %d naming %q", tc.name, res.Status, res.Body, tc.status, tc.field)
		}
	}
	s.expect(200, "POST", "/v1/processes/"+p.ID+"/cancel", s.owner, nil)
	if r := s.do("POST", path, s.owner, map[string]any{"message": "late"}); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "CANCELED") {
		t.Fatalf("message to a canceled process: %d %s", r.Status, r.Body)
	}
}

func TestReminders(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	started := s.newProcess(s.owner, processBody())
	s.expect(200, "POST", "/v1/processes/"+started.ID+"/start", s.owner, nil)
	pending := s.newProcess(s.owner, processBody())
	otherWS, otherToken := s.otherWorkspace()
	otherP := s.newProcess(otherToken, processBody())
	s.expect(200, "POST", "/v1/processes/"+otherP.ID+"/start", otherToken, nil)

	res := s.expect(200, "POST", "/v1/reminders", s.owner, nil)
	checkGolden(t, "process_reminders", res.Body)
	var sum workflow.ReminderSummary
	decodeInto(t, res, &sum)
	if sum != (workflow.ReminderSummary{RemindedSigners: 2, Processes: 1}) {
		t.Fatalf("reminders %+v", sum)
	}
	if n := s.countEvents(s.ws.WorkspaceID, "action.reminder.sent"); n != 2 {
		t.Fatalf("%d reminder events", n)
	}
	if n := s.countEvents(otherWS.WorkspaceID, "action.reminder.sent"); n != 0 {
		t.Fatalf("reminded another workspace: %d", n)
	}

	one := signerIDs(started)["One"]
	s.expect(200, "POST", "/v1/signers/"+one+"/reminders", s.owner, nil)
	if got := s.processEvents(started.ID); got[len(got)-1] != "action.manualreminder.sent" {
		t.Fatalf("events %v", got)
	}
	for _, tc := range []struct {
		name, path, token string
		status            int
	}{
		{"bad uuid", "/v1/signers/1/reminders", s.owner, 400},
		{"unknown signer", "/v1/signers/" + countersign.NewUUID() + "/reminders", s.owner, 404},
		{"other workspace", "/v1/signers/" + one + "/reminders", otherToken, 404},
		{"no open action", "/v1/signers/" + signerIDs(started)["Three"] + "/reminders", s.owner, 409},
		{"pending process", "/v1/signers/" + signerIDs(pending)["One"] + "/reminders", s.owner, 409},
	} {
		if r := s.do("POST", tc.path, tc.token, nil); r.Status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.Status, r.Body, tc.status)
		}
	}
}
