package api_test

import (
	"net/http"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/workflow"
)

// TestClientAuditRecordsCannotPassForTheServers has a member key write a
// record dressed as one the server writes for an owner's deleteProcess: the
// stored record must say a client wrote it, with the member's key.
func TestClientAuditRecordsCannotPassForTheServers(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	member := s.key(s.ws, countersign.RoleMember)
	memberID, _ := countersign.ParseAPIKeyToken(member)
	forged := map[string]any{"eventType": "PROCESS_DELETED", "eventOrigin": workflow.OriginAPI,
		"method": "DELETE deleteProcess", "creator": s.ws.APIKeyID, "apiKeyId": s.ws.APIKeyID,
		"processId": "9dce9e72-6bf9-4874-8dd1-44342027dd4f", "note": "cleanup"}
	var answered workflow.AuditRecord
	decodeInto(t, s.expect(http.StatusCreated, "POST", "/v1/auditing-events", member, forged), &answered)
	page := s.auditPage("eventType=PROCESS_DELETED")
	if page.TotalElements != 1 {
		t.Fatalf("%d records, want 1", page.TotalElements)
	}
	for _, rec := range []workflow.AuditRecord{answered, page.Content[0]} {
		if rec.EventOrigin != workflow.OriginClient || rec.Method != "POST createAuditingEvent" ||
			rec.Creator != memberID || rec.APIKeyID != memberID {
			t.Errorf("client record passes for the server's: origin %q method %q creator %q apiKeyId %q",
				rec.EventOrigin, rec.Method, rec.Creator, rec.APIKeyID)
		}
		if rec.ProcessID != "9dce9e72-6bf9-4874-8dd1-44342027dd4f" || rec.Note != "cleanup" {
			t.Errorf("the fields a client may set were not kept: %+v", rec)
		}
	}
}
