package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
)

func TestProcessCRUD(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	member := s.key(s.ws, countersign.RoleMember)
	res := s.expect(http.StatusCreated, "POST", "/v1/processes", member, processBody())
	checkGolden(t, "process_created", res.Body)
	p := decodeProcess(t, res)
	if p.Status != "PENDING" || p.Canceled || p.TotalSigners != 3 || p.TotalSigned != 0 || len(p.SigningProcessSteps) != 2 {
		t.Fatalf("created %+v", p)
	}
	for _, sg := range p.Signers {
		if !countersign.ValidUUID(sg.ID) || sg.SigningStatus != "WAITING_FOR_PROCESS" {
			t.Fatalf("signer %+v: the client's id and status must be ignored", sg)
		}
	}
	if got := decodeProcess(t, s.expect(200, "GET", "/v1/processes/"+p.ID, s.owner, nil)); got.ID != p.ID || got.DocumentName != "Lease.pdf" {
		t.Fatalf("get: %+v", got)
	}
	updated := decodeProcess(t, s.expect(200, "PUT", "/v1/processes/"+p.ID, s.owner, processBody(func(b map[string]any) {
		b["documentName"] = "Lease v2.pdf"
		b["signingProcessSteps"] = bodySteps(b)[:1]
		for _, sg := range stepSigners(b, 0) {
			delete(sg.(map[string]any), "id") // new signers: no id to keep
		}
	})))
	if updated.DocumentName != "Lease v2.pdf" || len(updated.SigningProcessSteps) != 1 || updated.TotalSigners != 2 {
		t.Fatalf("update while PENDING: %+v", updated)
	}
	s.expect(200, "POST", "/v1/processes/"+p.ID+"/start", s.owner, nil)
	for _, call := range []struct{ method, path string }{
		{"PUT", "/v1/processes/" + p.ID}, {"DELETE", "/v1/processes/" + p.ID},
	} {
		res := s.do(call.method, call.path, s.owner, processBody())
		if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "STARTED") {
			t.Fatalf("%s while STARTED: %d %s, want 409 naming STARTED", call.method, res.Status, res.Body)
		}
	}
	s.expect(200, "POST", "/v1/processes/"+p.ID+"/pause", s.owner, nil)
	paused := decodeProcess(t, s.expect(200, "PUT", "/v1/processes/"+p.ID, s.owner, processBody(func(b map[string]any) {
		delete(b, "signingProcessSteps")
		b["comment"] = "paused for a fix"
	})))
	if paused.Comment != "paused for a fix" || paused.Status != "PAUSED" {
		t.Fatalf("update while PAUSED: %+v", paused)
	}
	s.expect(http.StatusNoContent, "DELETE", "/v1/processes/"+p.ID, s.owner, nil)
	s.expect(http.StatusNotFound, "GET", "/v1/processes/"+p.ID, s.owner, nil)
}

func TestProcessBadInput(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	p := s.newProcess(s.owner, processBody())
	_, otherToken := s.otherWorkspace()
	ids := signerIDs(p)
	signerField := "signingProcessSteps[0].processStepSigners[0]."
	for _, tc := range []struct {
		name, method, path string
		token              string
		body               any
		status             int
		field              string
	}{
		{"bad JSON", "POST", "/v1/processes", "", `{"documentName":`, 400, ""},
		{"not an object", "POST", "/v1/processes", "", `[]`, 400, ""},
		{"empty body", "POST", "/v1/processes", "", nil, 400, ""},
		{"wrong type", "POST", "/v1/processes", "", processBody(func(b map[string]any) { b["documentName"] = 5 }), 400, "documentName"},
		{"no steps", "POST", "/v1/processes", "", processBody(func(b map[string]any) { delete(b, "signingProcessSteps") }), 422, "signingProcessSteps"},
		{"unknown role", "POST", "/v1/processes", "", processBody(func(b map[string]any) {
			stepSigners(b, 0)[0].(map[string]any)["signerRole"] = "BOSS"
		}), 400, signerField + "signerRole"},
		{"bad LV code", "POST", "/v1/processes", "", processBody(func(b map[string]any) {
			stepSigners(b, 0)[0].(map[string]any)["signerPersonalCode"] = "010190-12345"
		}), 422, signerField + "signerPersonalCode"},
		{"unknown country", "POST", "/v1/processes", "", processBody(func(b map[string]any) {
			stepSigners(b, 0)[0].(map[string]any)["signerCountry"] = "XX"
		}), 400, signerField + "signerCountry"},
		{"bad email", "POST", "/v1/processes", "", processBody(func(b map[string]any) { b["processInitiatorEmail"] = "nope" }), 422, "processInitiatorEmail"},
		{"past expiry", "POST", "/v1/processes", "", processBody(func(b map[string]any) { b["expiresAt"] = "2020-01-01T00:00:00Z" }), 422, "expiresAt"},
		{"bad date", "POST", "/v1/processes", "", processBody(func(b map[string]any) { b["expiresAt"] = "tomorrow" }), 400, ""},
		{"bad uuid", "GET", "/v1/processes/not-a-uuid", "", nil, 400, "processId"},
		{"unknown process", "GET", "/v1/processes/" + countersign.NewUUID(), "", nil, 404, ""},
		{"other workspace get", "GET", "/v1/processes/" + p.ID, otherToken, nil, 404, ""},
		{"other workspace update", "PUT", "/v1/processes/" + p.ID, otherToken, processBody(), 404, ""},
		{"other workspace delete", "DELETE", "/v1/processes/" + p.ID, otherToken, nil, 404, ""},
		{"other workspace start", "POST", "/v1/processes/" + p.ID + "/start", otherToken, nil, 404, ""},
		{"other workspace sign", "POST", "/v1/processes/" + p.ID + "/signers/" + ids["One"] + "/sign", otherToken, nil, 404, ""},
		{"bad signer uuid", "POST", "/v1/processes/" + p.ID + "/signers/x/sign", "", nil, 400, "signerId"},
		{"pause PENDING", "POST", "/v1/processes/" + p.ID + "/pause", "", nil, 409, ""},
		{"sign PENDING", "POST", "/v1/processes/" + p.ID + "/signers/" + ids["One"] + "/sign", "", nil, 409, ""},
		{"unknown signer", "POST", "/v1/processes/" + p.ID + "/signers/" + countersign.NewUUID() + "/sign", "", nil, 404, ""},
		{"resume PENDING", "POST", "/v1/processes/" + p.ID + "/resume", "", nil, 409, ""},
		{"start bad uuid", "POST", "/v1/processes/123/start", "", nil, 400, "processId"},
		{"cancel unknown", "POST", "/v1/processes/" + countersign.NewUUID() + "/cancel", "", nil, 404, ""},
		{"delete bad uuid", "DELETE", "/v1/processes/zz", "", nil, 400, "processId"},
		{"update bad JSON", "PUT", "/v1/processes/" + p.ID, "", "{", 400, ""},
		{"update wrong type", "PUT", "/v1/processes/" + p.ID, "", map[string]any{"signingProcessSteps": "x"}, 400, "signingProcessSteps"},
		{"view by a SIGNER", "POST", "/v1/processes/" + p.ID + "/signers/" + ids["One"] + "/view", "", nil, 409, ""},
		{"cancel control missing flag", "POST", "/v1/processes/" + p.ID + "/cancel-with-message-control", "", map[string]any{}, 422, "disableMessages"},
		{"cancel control wrong type", "POST", "/v1/processes/" + p.ID + "/cancel-with-message-control", "", map[string]any{"disableMessages": "yes"}, 400, "disableMessages"},
		{"cancel control unknown field", "POST", "/v1/processes/" + p.ID + "/cancel-with-message-control", "", map[string]any{"disableMessages": true, "x": 1}, 400, "x"},
	} {
		token := tc.token
		if token == "" {
			token = s.owner
		}
		res := s.do(tc.method, tc.path, token, tc.body)
		if res.Status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, res.Status, res.Body, tc.status)
			continue
		}
		res.ErrorCode(t)
		if tc.field != "" && res.ErrorField(t) != tc.field {
			t.Errorf("%s: field %q, want %q", tc.name, res.ErrorField(t), tc.field)
		}
	}
	// The conflicts named the state and wrote nothing.
	if got := s.processEvents(p.ID); len(got) != 1 {
		t.Fatalf("events after refused calls: %v", got)
	}
}

func TestCancelProcessWithMessageControl(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	p := s.newProcess(s.owner, processBody())
	s.expect(200, "POST", "/v1/processes/"+p.ID+"/start", s.owner, nil)
	res := s.expect(200, "POST", "/v1/processes/"+p.ID+"/cancel-with-message-control", s.owner, map[string]any{"disableMessages": true})
	if got := decodeProcess(t, res); got.Status != "CANCELED" || !got.Canceled {
		t.Fatalf("cancelled: %+v", got)
	}
	if off, err := s.db.Processes().MessagesDisabled(context.Background(), s.ws.WorkspaceID, p.ID); err != nil || !off {
		t.Fatalf("disableMessages not recorded: %v %v", off, err)
	}
	res = s.do("POST", "/v1/processes/"+p.ID+"/cancel", s.owner, nil)
	if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "CANCELED") {
		t.Fatalf("cancel twice: %d %s", res.Status, res.Body)
	}
}

func TestSignerDeclineInput(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	p := s.newProcess(s.owner, processBody())
	s.expect(200, "POST", "/v1/processes/"+p.ID+"/start", s.owner, nil)
	path := "/v1/processes/" + p.ID + "/signers/" + signerIDs(p)["One"] + "/decline"
	for _, tc := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"no body", nil, 400, ""},
		{"missing reason", map[string]any{}, 422, "stallReason"},
		{"unknown reason", map[string]any{"stallReason": "bored"}, 400, "stallReason"},
		{"scheduler's reason", map[string]any{"stallReason": "due_date_passed"}, 422, "stallReason"},
		{"comment too long", map[string]any{"stallReason": "signature_refusal", "comment": strings.Repeat("x", 4001)}, 422, "comment"},
		{"unknown field", map[string]any{"stallReason": "signature_refusal", "reason": "x"}, 400, "reason"},
		{"wrong type", map[string]any{"stallReason": 3}, 400, "stallReason"},
	} {
		res := s.do("POST", path, s.owner, tc.body)
		if res.Status != tc.status || (tc.field != "" && res.ErrorField(t) != tc.field) {
			t.Errorf("%s: %d %s, want %d naming %q", tc.name, res.Status, res.Body, tc.status, tc.field)
		}
	}
	approver := "/v1/processes/" + p.ID + "/signers/" + signerIDs(p)["Three"] + "/approve"
	if res := s.do("POST", approver, s.owner, nil); res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "WAITING_FOR_PREVIOUS") {
		t.Fatalf("approve before the step started: %d %s", res.Status, res.Body)
	}
	wrongRole := "/v1/processes/" + p.ID + "/signers/" + signerIDs(p)["One"] + "/approve"
	if res := s.do("POST", wrongRole, s.owner, nil); res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "SIGNER") {
		t.Fatalf("a SIGNER approving: %d %s", res.Status, res.Body)
	}
	res := s.expect(200, "POST", path, s.owner, map[string]any{"stallReason": "signature_refusal", "comment": "Wrong amount"})
	got := decodeProcess(t, res)
	if got.Status != "DECLINED" || got.Signers[0].SigningStatus != "DECLINED" || got.Signers[0].SignerComment != "Wrong amount" {
		t.Fatalf("declined: %+v", got)
	}
}

func TestSignerView(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	p := s.newProcess(s.owner, processBody(func(b map[string]any) {
		steps := bodySteps(b)
		first := steps[0].(map[string]any)
		first["processStepSigners"] = append(stepSigners(b, 0), map[string]any{"signerName": "Watcher", "signerRole": "VIEWER"})
	}))
	s.expect(200, "POST", "/v1/processes/"+p.ID+"/start", s.owner, nil)
	viewed := decodeProcess(t, s.expect(200, "POST", signerPath(p, "Watcher", "view"), s.owner, nil))
	for _, sg := range viewed.Signers {
		if sg.SignerName == "Watcher" && (sg.SigningStatus != "VIEWED" || sg.ActedAt == nil) {
			t.Fatalf("viewer after view: %+v", sg)
		}
	}
	if viewed.TotalSigners != 3 || viewed.TotalSigned != 0 {
		t.Fatalf("a view counts as a signature: %+v", viewed)
	}
	got := s.processEvents(p.ID)
	if got[len(got)-1] != "action.closed" {
		t.Fatalf("events %v", got)
	}
	if r := s.do("POST", signerPath(p, "Watcher", "view"), s.owner, nil); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "VIEWED") {
		t.Fatalf("view twice: %d %s", r.Status, r.Body)
	}
	if r := s.do("POST", signerPath(p, "Watcher", "decline"), s.owner, map[string]any{"stallReason": "consultation_refusal"}); r.Status != http.StatusConflict {
		t.Fatalf("a VIEWER declining: %d %s", r.Status, r.Body)
	}
}
