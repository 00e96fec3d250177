package api_test

import (
	"encoding/json"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/events"
)

// processPage decodes a page of processes and returns it with the ids in order.
func processPage(t *testing.T, r response) (api.Page[events.Process], []string) {
	t.Helper()
	var page api.Page[events.Process]
	if err := json.Unmarshal(r.Body, &page); err != nil || page.Content == nil {
		t.Fatalf("status %d body %s is not a page: %v", r.Status, r.Body, err)
	}
	ids := []string{}
	for _, p := range page.Content {
		ids = append(ids, p.ID)
	}
	return page, ids
}

// listFixture creates three processes: A (group-a, CONTRACT, Jane), B (STARTED,
// group-b, INVOICE, John, signer Maija), C (created by a member key, NDA).
func listFixture(t *testing.T, s *harness) (member string, a, b, c events.Process) {
	t.Helper()
	member = s.key(s.ws, countersign.RoleMember)
	a = s.newProcess(s.owner, processBody())
	b = s.newProcess(s.owner, processBody(func(m map[string]any) {
		m["documentId"], m["documentName"], m["documentType"], m["ownerGroup"] = "doc-2", "Invoice 42", "INVOICE", "group-b"
		m["initiatorName"], m["processInitiatorEmail"] = "John Smith", "john@corp.lv"
		m["signingProcessSteps"] = []any{map[string]any{"processStepSigners": []any{map[string]any{
			"signerName": "Maija Ozola", "signerRole": "SIGNER", "signerCountry": "LV", "signerPersonalCode": "010190-12349"}}}}
	}))
	s.expect(200, "POST", "/v1/processes/"+b.ID+"/start", s.owner, nil)
	c = s.newProcess(member, processBody(func(m map[string]any) {
		m["documentId"], m["documentName"], m["documentType"], m["initiatorName"] = "doc-3", "NDA", "NDA", "Ann"
	}))
	return member, a, b, c
}

func TestListProcesses(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	member, a, b, c := listFixture(t, s)
	first, last := a.CreatedAt.UTC().Format(time.DateOnly), c.CreatedAt.UTC().Format(time.DateOnly)
	next := c.CreatedAt.UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	for _, tc := range []struct {
		name, query, token string
		want               []string
	}{
		{"all, newest first", "", "", []string{c.ID, b.ID, a.ID}},
		{"status", "processStatus=STARTED", "", []string{b.ID}},
		{"status lower case", "processStatus=pending", "", []string{c.ID, a.ID}},
		{"document name", "nameSearch=lease", "", []string{a.ID}},
		{"initiator name", "nameSearch=JOHN", "", []string{b.ID}},
		{"signer name", "nameSearch=ozola", "", []string{b.ID}},
		{"email", "emailSearch=corp.lv", "", []string{b.ID}},
		{"signer email", "emailSearch=two%40example", "", []string{c.ID, a.ID}},
		{"personal code", "personalCode=16117519997", "", []string{c.ID, a.ID}},
		{"owner group", "ownerGroup=group-b", "", []string{b.ID}},
		{"doc type", "docType=NDA", "", []string{c.ID}},
		{"created on those days", "createdDateAfter=" + first + "&createdDateBefore=" + last, "", []string{c.ID, b.ID, a.ID}},
		{"created from the next day", "createdDateAfter=" + next, "", []string{}},
		{"created before a date-time", "createdDateBefore=2020-01-01T00:00:00Z", "", []string{}},
		{"isAdmin=false: own processes", "isAdmin=false", member, []string{c.ID}},
		{"isAdmin=true: the workspace", "isAdmin=true", member, []string{c.ID, b.ID, a.ID}},
		{"sorted by name", "sort=documentName,asc", "", []string{b.ID, a.ID, c.ID}},
		{"sorted by group desc, then name", "sort=ownerGroup,desc&sort=documentName", "", []string{b.ID, a.ID, c.ID}},
		{"second page", "size=2&page=1", "", []string{a.ID}},
		{"combined", "ownerGroup=group-a&nameSearch=nda", "", []string{c.ID}},
	} {
		token := tc.token
		if token == "" {
			token = s.owner
		}
		page, got := processPage(t, s.expect(200, "GET", "/v1/processes?"+tc.query, token, nil))
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
		if tc.name == "second page" && (page.TotalElements != 3 || page.TotalPages != 2 || page.Number != 1 || page.Size != 2) {
			t.Errorf("page object %+v", page)
		}
	}
	res := s.expect(200, "GET", "/v1/processes?processStatus=STARTED", s.owner, nil)
	checkGolden(t, "process_page", res.Body)
	_, other := s.otherWorkspace()
	if page, _ := processPage(t, s.expect(200, "GET", "/v1/processes", other, nil)); page.TotalElements != 0 {
		t.Fatalf("another workspace sees %d processes", page.TotalElements)
	}
}

func TestListProcessesBadInput(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	for query, field := range map[string]string{
		"processStatus=BOGUS":         "processStatus",
		"createdDateBefore=yesterday": "createdDateBefore",
		"createdDateAfter=2026-13-01": "createdDateAfter",
		"isAdmin=maybe":               "isAdmin",
		"page=-1":                     "page",
		"size=0":                      "size",
		"size=100000":                 "size",
		"sort=body":                   "sort",
		"sort=createdAt,sideways":     "sort",
		"nameSearch=" + longText(300): "nameSearch",
		"page=abc":                    "page",
		"emailSearch=%FF":             "emailSearch",
		"docType=" + url.QueryEscape(longText(256)): "docType",
	} {
		res := s.do("GET", "/v1/processes?"+query, s.owner, nil)
		if res.Status != 400 || res.ErrorField(t) != field {
			t.Errorf("%s: %d %s, want 400 naming %s", query, res.Status, res.Body, field)
		}
	}
}

// longText is n characters of text.
func longText(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'x'
	}
	return string(b)
}

func TestFindAndListProcessesBy(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	_, a, b, c := listFixture(t, s)
	_, other := s.otherWorkspace()
	for _, tc := range []struct {
		name, method, path, token string
		body                      any
		want                      []string
	}{
		{"by document", "POST", "/v1/processes/search", s.owner, map[string]any{"documentId": "doc-2"}, []string{b.ID}},
		{"by personal code", "POST", "/v1/processes/search", s.owner, map[string]any{"personalCode": codeEE}, []string{c.ID, a.ID}},
		{"by both", "POST", "/v1/processes/search", s.owner, map[string]any{"documentId": "doc-1", "personalCode": "161175-19997"}, []string{a.ID}},
		{"paging fields in the body", "POST", "/v1/processes/search", s.owner, map[string]any{"documentId": "doc-3", "page": 0}, []string{c.ID}},
		{"paged", "POST", "/v1/processes/search?size=1", s.owner, map[string]any{"personalCode": codeEE}, []string{c.ID}},
		{"other workspace", "POST", "/v1/processes/search", other, map[string]any{"documentId": "doc-1"}, []string{}},
		{"step signer", "GET", "/v1/signers/" + signerIDs(b)["Maija Ozola"] + "/processes", s.owner, nil, []string{b.ID}},
		{"unknown step signer", "GET", "/v1/signers/" + countersign.NewUUID() + "/processes", s.owner, nil, []string{}},
		{"other workspace's signer", "GET", "/v1/signers/" + signerIDs(b)["Maija Ozola"] + "/processes", other, nil, []string{}},
		{"document", "GET", "/v1/documents/doc-1/processes", s.owner, nil, []string{a.ID}},
		{"document, sorted", "GET", "/v1/documents/doc-1/processes?sort=createdAt,asc", s.owner, nil, []string{a.ID}},
		{"unknown document", "GET", "/v1/documents/nope/processes", s.owner, nil, []string{}},
	} {
		_, got := processPage(t, s.expect(200, tc.method, tc.path, tc.token, tc.body))
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{
		{"search without criteria", "POST", "/v1/processes/search", map[string]any{}, 422, "documentId"},
		{"search bad JSON", "POST", "/v1/processes/search", "{", 400, ""},
		{"search wrong type", "POST", "/v1/processes/search", map[string]any{"documentId": 1}, 400, "documentId"},
		{"search too long", "POST", "/v1/processes/search", map[string]any{"personalCode": longText(300)}, 422, "personalCode"},
		{"search bad page", "POST", "/v1/processes/search?page=-2", map[string]any{"documentId": "doc-1"}, 400, "page"},
		{"bad signer id", "GET", "/v1/signers/123/processes", nil, 400, "stepsignerId"},
		{"document id too long", "GET", "/v1/documents/" + longText(300) + "/processes", nil, 400, "documentId"},
	} {
		res := s.do(tc.method, tc.path, s.owner, tc.body)
		if res.Status != tc.status || (tc.field != "" && res.ErrorField(t) != tc.field) {
			t.Errorf("%s: %d %s, want %d naming %q", tc.name, res.Status, res.Body, tc.status, tc.field)
		}
	}
}
