package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/storage/storagetest"
)

func TestAuthorizeProcessAccess(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	p := s.newProcess(s.owner, processBody())
	one := signerIDs(p)["One"]
	res := s.expect(200, "POST", "/v1/signer-portal/access", s.owner, map[string]any{"signerId": one, "personCode": "16117519997", "country": "lv"})
	checkGolden(t, "process_portal", res.Body)
	body := string(res.Body)
	// The signer sees their own data, and nothing of the other signers but names and statuses.
	if !strings.Contains(body, codeLV) || strings.Contains(body, codeLT) || strings.Contains(body, codeEE) ||
		strings.Contains(body, "two@example.com") || !strings.Contains(body, `"signerName":"Two"`) {
		t.Fatalf("portal view leaks or lacks data: %s", body)
	}
	forbidden := s.do("POST", "/v1/signer-portal/access", s.owner, map[string]any{"signerId": one, "personCode": codeLT, "country": "LT"})
	if forbidden.Status != http.StatusForbidden || forbidden.ErrorCode(t) != countersign.EFORBIDDEN {
		t.Fatalf("another person: %d %s", forbidden.Status, forbidden.Body)
	}
	// Success and failure are both recorded.
	if got := s.processEvents(p.ID); len(got) != 3 || got[1] != "identity-validation.processed" || got[2] != "identity-validation.processed" {
		t.Fatalf("events %v", got)
	}
	var failures int
	if err := storagetest.Get(t.Context(), s.db, &failures, `SELECT COUNT(*) FROM events WHERE resource_id = ?
		AND type = 'identity-validation.processed' AND body LIKE '%"verificationStatus":"failure"%'`, p.ID); err != nil || failures != 1 {
		t.Fatalf("%d failure events, %v", failures, err)
	}
	_, other := s.otherWorkspace()
	for _, tc := range []struct {
		name   string
		token  string
		body   any
		status int
		field  string
	}{
		{"bad JSON", s.owner, "{", 400, ""},
		{"unknown field", s.owner, map[string]any{"signerId": one, "personCode": codeLV, "country": "LV", "x": 1}, 400, "x"},
		{"missing signer", s.owner, map[string]any{"personCode": codeLV, "country": "LV"}, 422, "signerId"},
		{"bad signer uuid", s.owner, map[string]any{"signerId": "abc", "personCode": codeLV, "country": "LV"}, 400, "signerId"},
		{"missing country", s.owner, map[string]any{"signerId": one, "personCode": codeLV}, 422, "country"},
		{"unknown country", s.owner, map[string]any{"signerId": one, "personCode": codeLV, "country": "XX"}, 400, "country"},
		{"missing code", s.owner, map[string]any{"signerId": one, "country": "LV"}, 422, "personCode"},
		{"bad LV checksum", s.owner, map[string]any{"signerId": one, "personCode": "161175-19998", "country": "LV"}, 422, "personCode"},
		{"bad LT date", s.owner, map[string]any{"signerId": one, "personCode": "33313240064", "country": "LT"}, 422, "personCode"},
		{"bad EE length", s.owner, map[string]any{"signerId": one, "personCode": "3680528010", "country": "EE"}, 422, "personCode"},
		{"bad generic code", s.owner, map[string]any{"signerId": one, "personCode": "a b", "country": "DE"}, 422, "personCode"},
		{"unknown signer", s.owner, map[string]any{"signerId": countersign.NewUUID(), "personCode": codeLV, "country": "LV"}, 404, ""},
		{"other workspace", other, map[string]any{"signerId": one, "personCode": codeLV, "country": "LV"}, 404, ""},
	} {
		res := s.do("POST", "/v1/signer-portal/access", tc.token, tc.body)
		if res.Status != tc.status || (tc.field != "" && res.ErrorField(t) != tc.field) {
			t.Errorf("%s: %d %s, want %d naming %q", tc.name, res.Status, res.Body, tc.status, tc.field)
		}
	}
	if got := s.processEvents(p.ID); len(got) != 3 {
		t.Fatalf("refused requests wrote events: %v", got)
	}
}

func TestSignerPortalLists(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	a := s.newProcess(s.owner, processBody())
	s.expect(200, "POST", "/v1/processes/"+a.ID+"/start", s.owner, nil)
	b := s.newProcess(s.owner, processBody(func(m map[string]any) {
		m["documentName"], m["documentId"] = "NDA", "doc-2"
		delete(m, "expiresAt")
	}))
	s.newProcess(s.owner, processBody(func(m map[string]any) { // nobody of interest
		m["signingProcessSteps"] = []any{map[string]any{"processStepSigners": []any{
			map[string]any{"signerName": "Else", "signerRole": "SIGNER", "signerCountry": "LV", "signerPersonalCode": "010190-12349"}}}}
	}))
	one := signerIDs(a)["One"]
	tasks := func(extra string) string {
		return "/v1/signer-portal/tasks?personalCode=161175-19997&country=LV&signerId=" + one + extra
	}
	for _, tc := range []struct {
		name, path string
		want       []string // process ids
	}{
		{"tasks", tasks(""), []string{b.ID, a.ID}},
		{"tasks sorted", tasks("&sort=createdAt,asc"), []string{a.ID, b.ID}},
		{"tasks by status", tasks("&processStatus=STARTED"), []string{a.ID}},
		{"tasks by name", tasks("&nameSearch=nda"), []string{b.ID}},
		{"tasks by date", tasks("&createdDateBefore=2020-01-01"), []string{}},
		{"tasks from a date", tasks("&createdDateAfter=2020-01-01"), []string{b.ID, a.ID}},
		{"tasks non-expired", tasks("&nonExpired=true"), []string{b.ID, a.ID}},
		{"tasks paged", tasks("&size=1&page=1"), []string{a.ID}},
		{"steps", "/v1/signer-portal/steps?personCode=16117519997&country=lv", []string{b.ID, a.ID}},
		{"documents", "/v1/signer-portal/documents?personCode=161175-19997&country=LV", []string{b.ID, a.ID}},
		{"another person's documents", "/v1/signer-portal/documents?personCode=" + codeLT + "&country=LT", []string{b.ID, a.ID}},
	} {
		res := s.expect(200, "GET", tc.path, s.owner, nil)
		var page struct {
			Content []struct {
				ProcessID string `json:"processId"`
			} `json:"content"`
		}
		decodeInto(t, res, &page)
		got := []string{}
		for _, c := range page.Content {
			got = append(got, c.ProcessID)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
		// Only the person's own signer entry is ever shown.
		if body := string(res.Body); strings.Contains(body, codeEE) || strings.Contains(body, "three@example.com") ||
			(tc.name != "another person's documents" && strings.Contains(body, codeLT)) {
			t.Errorf("%s leaks another signer: %s", tc.name, body)
		}
	}
	checkGolden(t, "process_signer_tasks", s.expect(200, "GET", tasks("&processStatus=STARTED"), s.owner, nil).Body)
	checkGolden(t, "process_signer_steps", s.expect(200, "GET", "/v1/signer-portal/steps?personCode=16117519997&country=LV&sort=createdAt,asc&size=1", s.owner, nil).Body)
	checkGolden(t, "process_signer_documents", s.expect(200, "GET", "/v1/signer-portal/documents?personCode=16117519997&country=LV&size=1&sort=createdAt", s.owner, nil).Body)
	var task struct {
		Content []api.SignerTask `json:"content"`
	}
	decodeInto(t, s.expect(200, "GET", tasks("&processStatus=STARTED"), s.owner, nil), &task)
	if len(task.Content) != 1 || !task.Content[0].CanAct || task.Content[0].Signer.ID != one || task.Content[0].StepStatus != "STARTED" {
		t.Fatalf("task %+v", task.Content)
	}

	_, other := s.otherWorkspace()
	for _, tc := range []struct {
		name, path, token string
		status            int
		field             string
	}{
		{"tasks without signerId", "/v1/signer-portal/tasks?personalCode=161175-19997&country=LV", s.owner, 422, "signerId"},
		{"tasks without code", "/v1/signer-portal/tasks?country=LV&signerId=" + one, s.owner, 422, "personalCode"},
		{"tasks without country", "/v1/signer-portal/tasks?personalCode=161175-19997&signerId=" + one, s.owner, 422, "country"},
		{"tasks bad country", "/v1/signer-portal/tasks?personalCode=161175-19997&country=ZZ&signerId=" + one, s.owner, 400, "country"},
		{"tasks bad code", "/v1/signer-portal/tasks?personalCode=161175-19998&country=LV&signerId=" + one, s.owner, 422, "personalCode"},
		{"tasks bad signer", tasks("")[:len(tasks(""))-len(one)] + "zz", s.owner, 400, "signerId"},
		{"tasks of another person's signer", "/v1/signer-portal/tasks?personalCode=" + codeLT + "&country=LT&signerId=" + one, s.owner, 403, "signerId"},
		{"tasks unknown signer", "/v1/signer-portal/tasks?personalCode=161175-19997&country=LV&signerId=" + countersign.NewUUID(), s.owner, 404, ""},
		{"tasks other workspace", tasks(""), other, 404, ""},
		{"tasks bad status", tasks("&processStatus=DONE"), s.owner, 400, "processStatus"},
		{"tasks bad date", tasks("&createdDateAfter=soon"), s.owner, 400, "createdDateAfter"},
		{"tasks bad nonExpired", tasks("&nonExpired=yes"), s.owner, 400, "nonExpired"},
		{"tasks bad size", tasks("&size=5000"), s.owner, 400, "size"},
		{"tasks bad sort", tasks("&sort=personalCode"), s.owner, 400, "sort"},
		{"steps without country", "/v1/signer-portal/steps?personCode=16117519997", s.owner, 422, "country"},
		{"steps bad code", "/v1/signer-portal/steps?personCode=1&country=EE", s.owner, 422, "personCode"},
		{"documents bad country", "/v1/signer-portal/documents?personCode=1&country=" + url.QueryEscape("L V"), s.owner, 400, "country"},
		{"documents bad page", "/v1/signer-portal/documents?personCode=16117519997&country=LV&page=-1", s.owner, 400, "page"},
	} {
		res := s.do("GET", tc.path, tc.token, nil)
		if res.Status != tc.status || (tc.field != "" && res.ErrorField(t) != tc.field) {
			t.Errorf("%s: %d %s, want %d naming %q", tc.name, res.Status, res.Body, tc.status, tc.field)
		}
	}
	// Another workspace finds nobody.
	res := s.expect(200, "GET", "/v1/signer-portal/steps?personCode=16117519997&country=LV", other, nil)
	if !strings.Contains(string(res.Body), `"totalElements":0`) {
		t.Fatalf("another workspace: %s", res.Body)
	}
}
