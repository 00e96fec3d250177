package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/workflow"
)

// testEmailProcess is a SigningProcess body as clients send it, read-only fields included: an LV
// SIGNER, then an APPROVER whose language has no template.
const testEmailProcess = `{
  "id": "string", "createdAt": "2019-08-24T14:15:22Z", "status": "STARTED", "canceled": false,
  "documentName": "Lease.pdf", "initiatorName": "Jane Doe", "comment": "", "totalSigners": 2, "totalSigned": 0,
  "signingProcessSteps": [
    {"id": "string", "processOrder": 0, "stepStatus": "STARTED", "dueDate": "2026-03-11T10:00:00Z",
     "processStepSigners": [{"id": "string", "signerName": "Anna Bērziņa", "signerRole": "SIGNER",
       "signingStatus": "WAITING_FOR_ACTION", "signerLanguage": "lv", "commentForSigner": "3. lapa"}]},
    {"id": "string", "processOrder": 1, "stepStatus": "WAITING_FOR_PREVIOUS", "dueDate": null,
     "processStepSigners": [{"id": "string", "signerName": "Pekka", "signerRole": "APPROVER", "signerLanguage": "fi"}]}
  ],
  "signers": [], "currentInProgressStep": null
}`

func TestSendTestEmailRendersWithoutSending(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	res := s.expect(http.StatusOK, "POST", "/v1/messages/test-email/TASK_STARTED?role=SIGNER", s.owner, testEmailProcess)
	checkGolden(t, "test_email", res.Body)
	var n workflow.Notification
	decodeInto(t, res, &n)
	if n.Language != "lv" || n.Subject != "Lūdzam parakstīt: Lease.pdf" || !strings.Contains(n.Body, "Labdien, Anna Bērziņa!") {
		t.Fatalf("notification %+v", n)
	}
	cases := []struct {
		path, lang, subject string
	}{
		{"/v1/messages/test-email/TASK_STARTED?role=APPROVER", "en", "Please approve: Lease.pdf"},
		{"/v1/messages/test-email/REMINDER?role=SIGNER", "lv", "Atgādinājums: Lease.pdf"},
		{"/v1/messages/test-email/PROCESS_COMPLETED?role=INITIATOR", "en", "Completed: Lease.pdf"},
		{"/v1/messages/test-email/PROCESS_STARTED?role=SIGNER", "en", "Signing process started: Lease.pdf"},
	}
	for _, c := range cases {
		decodeInto(t, s.expect(http.StatusOK, "POST", c.path, s.owner, testEmailProcess), &n)
		if n.Language != c.lang || n.Subject != c.subject {
			t.Errorf("%s: %s %q, want %s %q", c.path, n.Language, n.Subject, c.lang, c.subject)
		}
	}
}

func TestSendTestEmailRefusesBadInput(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	cases := []struct {
		name, path string
		body       any
		status     int
		field      string
	}{
		{"unknown event type", "/v1/messages/test-email/SIGNED?role=SIGNER", testEmailProcess, 400, "eventType"},
		{"type without notification", "/v1/messages/test-email/DOCUMENT_DOWNLOAD?role=SIGNER", testEmailProcess, 422, "eventType"},
		{"missing role", "/v1/messages/test-email/REMINDER", testEmailProcess, 400, "role"},
		{"unknown role", "/v1/messages/test-email/REMINDER?role=OWNER", testEmailProcess, 400, "role"},
		{"bad JSON", "/v1/messages/test-email/REMINDER?role=SIGNER", `{"documentName":`, 400, ""},
		{"bad date", "/v1/messages/test-email/REMINDER?role=SIGNER", `{"createdAt":"yesterday"}`, 400, "createdAt"},
		{"wrong type", "/v1/messages/test-email/REMINDER?role=SIGNER", `{"totalSigners":"two"}`, 400, "totalSigners"},
		{"missing body", "/v1/messages/test-email/REMINDER?role=SIGNER", nil, 400, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := s.do("POST", c.path, s.owner, c.body)
			if res.Status != c.status {
				t.Fatalf("%d %s, want %d", res.Status, res.Body, c.status)
			}
			if got := res.ErrorField(t); got != c.field || res.ErrorCode(t) == "" {
				t.Fatalf("field %q (%s), want %q", got, res.Body, c.field)
			}
		})
	}
}
