package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/workflow"
)

// auditPage lists audit records through the API, after flushing the writer.
func (s *harness) auditPage(query string) api.Page[workflow.AuditRecord] {
	s.t.Helper()
	s.flushAudit()
	var page api.Page[workflow.AuditRecord]
	decodeInto(s.t, s.expect(http.StatusOK, "GET", "/v1/auditing-events?"+query, s.owner, nil), &page)
	return page
}

func TestAuditingEventRoutes(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	s.listen() // the audit records the caller's address and user agent
	body := map[string]any{"id": "mine", "createdAt": "2019-08-24T14:15:22Z", "eventType": "SIGNATURE",
		"eventOrigin": "portal", "creator": "jdoe", "documentId": "doc-1", "signerId": "ef0174d7-f2c8-4f2f-8de8-f327f0fef922",
		"customerPersonalCode": "010190-12345", "note": "signed at the desk", "processId": "9dce9e72-6bf9-4874-8dd1-44342027dd4f",
		"ipAddress": "192.0.2.10", "containerId": "c-1", "method": "SMART_ID", "clientAppName": "branch-app"}
	res := s.expect(http.StatusCreated, "POST", "/v1/auditing-events", s.owner, body)
	checkGolden(t, "auditing_event", res.Body)
	var rec workflow.AuditRecord
	decodeInto(t, res, &rec)
	if rec.ID == "mine" || rec.CreatedAt.Year() == 2019 || rec.APIKeyID != s.ws.APIKeyID {
		t.Fatalf("service fields not set: %+v", rec)
	}
	// Without ipAddress, creator and clientAppName the caller's are kept.
	var bare workflow.AuditRecord
	decodeInto(t, s.expect(http.StatusCreated, "POST", "/v1/auditing-events", s.owner,
		map[string]any{"eventType": "DECLINE", "processId": "p-2"}), &bare)
	if bare.IPAddress != "127.0.0.1" || bare.Creator != s.ws.APIKeyID || bare.ClientAppName != "Go-http-client/1.1" || bare.EventOrigin != "client" {
		t.Fatalf("caller defaults not applied: %+v", bare)
	}

	page := s.auditPage("eventType=SIGNATURE")
	raw := s.expect(http.StatusOK, "GET", "/v1/auditing-events?eventType=SIGNATURE", s.owner, nil)
	checkGolden(t, "auditing_event_page", raw.Body)
	if page.TotalElements != 1 || page.Content[0].ID != rec.ID {
		t.Fatalf("page %+v", page)
	}
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	cases := []struct {
		query string
		want  int64
	}{
		{"processId=9dce9e72-6bf9-4874-8dd1-44342027dd4f", 1},
		{"processId=p-2", 1},
		{"documentId=doc-1", 1},
		{"signerId=ef0174d7-f2c8-4f2f-8de8-f327f0fef922", 1},
		{"eventType=DECLINE&processId=p-2", 1},
		{"eventType=DECLINE&processId=9dce9e72-6bf9-4874-8dd1-44342027dd4f", 0},
		{"createdAfter=" + future, 0},
		{"createdBefore=2020-01-01T00:00:00Z", 0},
		{"createdAfter=2020-01-01T00:00:00%2B02:00&eventType=SIGNATURE", 1},
	}
	for _, c := range cases {
		if got := s.auditPage(c.query).TotalElements; got != c.want {
			t.Errorf("%s: %d records, want %d", c.query, got, c.want)
		}
	}
	// Newest first by default, oldest first on request.
	all := s.auditPage("processId=p-2&size=5")
	if len(all.Content) != 1 {
		t.Fatalf("records %+v", all)
	}
	first := s.auditPage("sort=createdAt,asc&size=1").Content[0]
	if first.ID != rec.ID {
		t.Fatalf("oldest record = %+v, want %s", first, rec.ID)
	}
}

func TestGetContactLeavesExactlyOneAuditRecord(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	s.listen() // the audit records the caller's address and user agent
	c := s.newContact(s.owner, contactBody())
	before := s.auditPage("eventType=PROCESS_GETONE").TotalElements
	res := s.doWithHeaders("GET", "/v1/contacts/"+c.ID+"?"+as("alice", "group-a"), s.owner,
		map[string]string{"X-Client-App": "crm/2.3", "User-Agent": "ignored-agent"})
	if res.Status != http.StatusOK {
		t.Fatalf("get contact: %d %s", res.Status, res.Body)
	}
	page := s.auditPage("eventType=PROCESS_GETONE")
	if page.TotalElements != before+1 {
		t.Fatalf("%d PROCESS_GETONE records after one GET, want %d", page.TotalElements, before+1)
	}
	rec := page.Content[0]
	if rec.EventType != workflow.AuditProcessGetOne || rec.Method != "GET getContact" || rec.ClientAppName != "crm/2.3" ||
		rec.Creator != s.ws.APIKeyID || rec.APIKeyID != s.ws.APIKeyID || rec.IPAddress != "127.0.0.1" ||
		rec.EventOrigin != workflow.OriginAPI || rec.Note != "contactId="+c.ID || !countersign.ValidID(countersign.PrefixAudit, rec.ID) {
		t.Fatalf("audit record %+v", rec)
	}
	// Failed calls leave none: forbidden, not found, bad id.
	total := s.auditPage("size=1").TotalElements // this list leaves one record itself
	s.expect(http.StatusForbidden, "GET", "/v1/contacts/"+c.ID+"?"+as("carol", "group-b"), s.owner, nil)
	s.expect(http.StatusNotFound, "GET", "/v1/contacts/"+countersign.NewUUID()+"?"+as("alice", "group-a"), s.owner, nil)
	s.expect(http.StatusBadRequest, "GET", "/v1/contacts/1?"+as("alice", "group-a"), s.owner, nil)
	s.expect(http.StatusCreated, "POST", "/v1/auditing-events", s.owner, map[string]any{"eventType": "FAILURE"})
	if got := s.auditPage("size=1").TotalElements; got != total+2 { // the previous list's record and the FAILURE one
		t.Fatalf("%d records, want %d: failed calls or createAuditingEvent left records", got, total+2)
	}
	var lists api.Page[workflow.AuditRecord]
	s.flushAudit()
	decodeInto(t, s.expect(http.StatusOK, "GET", "/v1/auditing-events?eventType=PROCESS_GETALL", s.owner, nil), &lists)
	for _, r := range lists.Content {
		if !strings.HasPrefix(r.Method, "GET list") {
			t.Fatalf("PROCESS_GETALL record of %s", r.Method)
		}
	}
}

func TestAuditedOperationsHaveTheirTypes(t *testing.T) {
	want := map[string]workflow.AuditType{
		"listContacts": workflow.AuditProcessGetAll, "getContact": workflow.AuditProcessGetOne,
		"createContact": workflow.AuditProcessUpdated, "updateContact": workflow.AuditProcessUpdated,
		"deleteContact": workflow.AuditProcessDeleted, "listTemplates": workflow.AuditProcessGetAll,
		"createTemplate": workflow.AuditProcessUpdated, "deleteTemplate": workflow.AuditProcessDeleted,
		"getDocumentProfileById": workflow.AuditDocumentInfo, "getDocumentProfileByName": workflow.AuditDocumentInfo,
		"listDocumentProfiles": workflow.AuditProcessGetAll, "createDocumentProfile": workflow.AuditDocumentCreate,
		"updateDocumentProfile": workflow.AuditDocumentUpdate, "deleteDocumentProfile": workflow.AuditDocumentDelete,
		"getDocumentAttributeById": workflow.AuditDocumentInfo, "listDocumentAttributes": workflow.AuditProcessGetAll,
		"createDocumentAttribute": workflow.AuditDocumentCreate, "updateDocumentAttribute": workflow.AuditDocumentUpdate,
		"deleteDocumentAttribute": workflow.AuditDocumentDelete, "sendTestEmail": workflow.AuditEmailReminder,
		"listAuditingEvents": workflow.AuditProcessGetAll, "createAuditingEvent": "",
	}
	s := newHarness(t, api.Config{}, api.Deps{})
	seen := 0
	for _, op := range s.srv.Operations() {
		typ, ok := want[op.ID]
		if !ok {
			continue
		}
		seen++
		if op.Audit != typ || op.Perm != countersign.PermProcesses {
			t.Errorf("%s: audit %q perm %q, want %q and %q", op.ID, op.Audit, op.Perm, typ, countersign.PermProcesses)
		}
	}
	if seen != len(want) {
		t.Fatalf("found %d of the %d operations", seen, len(want))
	}
}

func TestAuditingRoutesRefuseBadInput(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	cases := []badCall{
		{"bad JSON", "POST", "/v1/auditing-events", `{"eventType"`, 400, ""},
		{"wrong type", "POST", "/v1/auditing-events", map[string]any{"eventType": "SIGNATURE", "note": 7}, 400, "note"},
		{"missing eventType", "POST", "/v1/auditing-events", map[string]any{"note": "n"}, 422, "eventType"},
		{"unknown eventType", "POST", "/v1/auditing-events", map[string]any{"eventType": "SIGNED"}, 400, "eventType"},
		{"bad ipAddress", "POST", "/v1/auditing-events", map[string]any{"eventType": "SIGNATURE", "ipAddress": "999.1.1.1"}, 422, "ipAddress"},
		{"too long note", "POST", "/v1/auditing-events", map[string]any{"eventType": "SIGNATURE", "note": strings.Repeat("n", 4001)}, 422, "note"},
		{"list unknown eventType", "GET", "/v1/auditing-events?eventType=SIGNED", nil, 400, "eventType"},
		{"list bad createdAfter", "GET", "/v1/auditing-events?createdAfter=2026-02-01", nil, 400, "createdAfter"},
		{"list bad createdBefore", "GET", "/v1/auditing-events?createdBefore=yesterday", nil, 400, "createdBefore"},
		{"list bad sort", "GET", "/v1/auditing-events?sort=note", nil, 400, "sort"},
		{"list huge size", "GET", "/v1/auditing-events?size=1001", nil, 400, "size"},
	}
	s.expectRefusals(t, cases)
	// Another workspace's records are never listed.
	s.expect(http.StatusCreated, "POST", "/v1/auditing-events", s.owner, map[string]any{"eventType": "SIGNATURE"})
	_, otherToken := s.otherWorkspace()
	var page api.Page[workflow.AuditRecord]
	decodeInto(t, s.expect(http.StatusOK, "GET", "/v1/auditing-events?eventType=SIGNATURE", otherToken, nil), &page)
	if page.TotalElements != 0 {
		t.Fatalf("other workspace sees %d records", page.TotalElements)
	}
}
