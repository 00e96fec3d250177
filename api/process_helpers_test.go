package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage/storagetest"
)

// Valid personal codes of the three Baltic formats.
const (
	codeLV = "161175-19997"
	codeLT = "33309240064"
	codeEE = "36805280109"
)

// fromNow returns an RFC 3339 time d from now.
func fromNow(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }

// processBody is a createProcess body in the camelCase SigningProcess schema, with
// the read-only fields clients send (id, status, counters…): a
// two-step, three-signer process where "One" (LV) and "Two" (LT) sign in
// parallel, then "Three" (EE) approves. mods edit it before it is sent.
func processBody(mods ...func(map[string]any)) map[string]any {
	signer := func(name, role, country, code, email string) map[string]any {
		return map[string]any{"id": "ignored", "signerName": name, "signerRole": role, "signerCountry": country,
			"signerPersonalCode": code, "signerEmail": email, "signingStatus": "SIGNED", "signerNotification": true,
			"signerLanguage": "lv", "anonymous": false}
	}
	b := map[string]any{
		"id": "ignored", "createdAt": "2019-08-24T14:15:22Z", "status": "COMPLETED", "canceled": true,
		"totalSigners": 9, "totalSigned": 9, "signers": []any{}, "currentInProgressStep": nil,
		"processInitiatorEmail": "jane@example.com", "documentId": "doc-1", "documentName": "Lease.pdf",
		"initiator": "jdoe", "initiatorName": "Jane Doe", "comment": "Please sign", "documentType": "CONTRACT",
		"ownerGroup": "group-a", "expiresAt": fromNow(30 * 24 * time.Hour),
		"signingProcessSteps": []any{
			map[string]any{"processOrder": 0, "stepStatus": "COMPLETED", "processStepSigners": []any{
				signer("One", "SIGNER", "LV", codeLV, "one@example.com"),
				signer("Two", "SIGNER", "LT", codeLT, "two@example.com"),
			}},
			map[string]any{"processOrder": 1, "processStepSigners": []any{
				signer("Three", "APPROVER", "EE", codeEE, "three@example.com"),
			}},
		},
	}
	for _, m := range mods {
		m(b)
	}
	return b
}

// bodySteps returns the steps of a processBody, to edit.
func bodySteps(b map[string]any) []any { return b["signingProcessSteps"].([]any) }

// stepSigners returns the signers of step i of a processBody, to edit.
func stepSigners(b map[string]any, i int) []any {
	return bodySteps(b)[i].(map[string]any)["processStepSigners"].([]any)
}

// decodeProcess decodes a process answer.
func decodeProcess(t testing.TB, r response) events.Process {
	t.Helper()
	var p events.Process
	if err := json.Unmarshal(r.Body, &p); err != nil || p.ID == "" {
		t.Fatalf("status %d body %s is not a process: %v", r.Status, r.Body, err)
	}
	return p
}

// newProcess creates a process from body and returns it.
func (s *harness) newProcess(token string, body any) events.Process {
	s.t.Helper()
	res := s.do("POST", "/v1/processes", token, body)
	if res.Status != http.StatusCreated {
		s.t.Fatalf("createProcess: %d %s", res.Status, res.Body)
	}
	return decodeProcess(s.t, res)
}

// signerIDs maps a process's signer names to their ids.
func signerIDs(p events.Process) map[string]string {
	out := map[string]string{}
	for _, sg := range p.Signers {
		out[sg.SignerName] = sg.ID
	}
	return out
}

// processEvents returns the types of the events about a resource, in log order.
func (s *harness) processEvents(resourceID string) []string {
	s.t.Helper()
	var types []string
	if err := storagetest.Select(context.Background(), s.db, &types, "SELECT type FROM events WHERE resource_id = ? ORDER BY seq", resourceID); err != nil {
		s.t.Fatal(err)
	}
	return types
}

// countEvents counts a workspace's events of one type.
func (s *harness) countEvents(workspaceID, typ string) int {
	s.t.Helper()
	var n int
	if err := storagetest.Get(context.Background(), s.db, &n, "SELECT COUNT(*) FROM events WHERE workspace_id = ? AND type = ?", workspaceID, typ); err != nil {
		s.t.Fatal(err)
	}
	return n
}
