package api_test

import (
	"net/http"
	"testing"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/workflow"
)

// TestRefusedIdentityCheckIsAuditedAsAFault checks that a refused identity
// check (403) leaves, committed by the time the answer is sent, one
// AUDIT_LOGIN_FAULT record and one identity-validation.processed event with
// verificationStatus failure, and no AUTH_COMPLETED record; and that an
// accepted check leaves AUTH_COMPLETED and a success event.
func TestRefusedIdentityCheckIsAuditedAsAFault(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	s.listen() // the audit records the caller's address and user agent
	p := s.newProcess(s.owner, processBody())
	one := signerIDs(p)["One"]
	res := s.do("POST", "/v1/signer-portal/access", s.owner, map[string]any{"signerId": one, "personCode": codeLT, "country": "LT"})
	if res.Status != http.StatusForbidden {
		t.Fatalf("another person: %d %s", res.Status, res.Body)
	}
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := storagetest.Get(t.Context(), s.db, &n, query, args...); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Read before flushing the batch writer: the fault must be written with the answer.
	if n := count(`SELECT COUNT(*) FROM audit_events WHERE event_type = 'AUDIT_LOGIN_FAULT' AND process_id = ? AND signer_id = ?`, p.ID, one); n != 1 {
		t.Fatalf("%d AUDIT_LOGIN_FAULT records after a refused check, want 1", n)
	}
	failures := `SELECT COUNT(*) FROM events WHERE resource_id = ? AND type = 'identity-validation.processed'
		AND body LIKE '%"verificationStatus":"` // + status
	if n := count(failures+`failure"%'`, p.ID); n != 1 {
		t.Fatalf("%d failure events, want 1", n)
	}
	page := s.auditPage("eventType=AUDIT_LOGIN_FAULT")
	if page.TotalElements != 1 {
		t.Fatalf("%d AUDIT_LOGIN_FAULT records listed", page.TotalElements)
	}
	rec := page.Content[0]
	if rec.EventOrigin != workflow.OriginAPI || rec.Method != "POST authorizeProcessAccess" || rec.Creator != s.ws.APIKeyID ||
		rec.APIKeyID != s.ws.APIKeyID || rec.ProcessID != p.ID || rec.SignerID != one || rec.IPAddress != "127.0.0.1" {
		t.Fatalf("fault record %+v", rec)
	}
	if got := s.auditPage("eventType=AUTH_COMPLETED").TotalElements; got != 0 {
		t.Fatalf("a refused check left %d AUTH_COMPLETED records", got)
	}

	s.expect(200, "POST", "/v1/signer-portal/access", s.owner, map[string]any{"signerId": one, "personCode": codeLV, "country": "LV"})
	if got := s.auditPage("eventType=AUTH_COMPLETED").TotalElements; got != 1 {
		t.Fatalf("an accepted check left %d AUTH_COMPLETED records, want 1", got)
	}
	if got := s.auditPage("eventType=AUDIT_LOGIN_FAULT").TotalElements; got != 1 {
		t.Fatalf("%d AUDIT_LOGIN_FAULT records after an accepted check, want still 1", got)
	}
	if n := count(failures+`success"%'`, p.ID); n != 1 {
		t.Fatalf("%d success events, want 1", n)
	}
}
