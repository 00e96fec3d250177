package api_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/events"
)

// newRegistration creates a registration and returns it.
func (s *harness) newRegistration(token string) events.RegistrationData {
	s.t.Helper()
	res := s.expect(http.StatusCreated, "POST", "/v1/registrations", token,
		map[string]any{"full_name": "Jane Doe", "email": "jane@example.com", "phone": "+371 2000 0000", "method": "pvid"})
	var r events.RegistrationData
	decodeInto(s.t, res, &r)
	return r
}

func TestRegistrationLifecycle(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	res := s.expect(http.StatusCreated, "POST", "/v1/registrations", s.owner,
		map[string]any{"full_name": "Jane Doe", "email": "jane@example.com", "method": "web"})
	checkGolden(t, "registration_created", res.Body)
	var r events.RegistrationData
	decodeInto(t, res, &r)
	if r.Status != "PENDING" || !r.ExpiresAt.Equal(r.CreatedAt.Add(7*24*time.Hour)) {
		t.Fatalf("created %+v", r)
	}
	base := "/v1/registrations/" + r.ID
	s.expect(200, "GET", base, s.owner, nil)
	failed := s.expect(200, "POST", base+"/verify-identity", s.owner, map[string]any{"success": false})
	if !strings.Contains(string(failed.Body), `"status":"IDENTITY_FAILED"`) {
		t.Fatalf("failed check: %s", failed.Body)
	}
	s.expect(200, "POST", base+"/verify-identity", s.owner, map[string]any{"success": true})
	if c := s.do("POST", base+"/activate-certificate", s.owner, nil); c.Status != http.StatusConflict || !strings.Contains(string(c.Body), "IDENTITY_VERIFIED") {
		t.Fatalf("activate before completing: %d %s", c.Status, c.Body)
	}
	s.expect(200, "POST", base+"/complete", s.owner, map[string]any{"certificate_name": "Jane Doe (signing)"})
	res = s.expect(200, "POST", base+"/activate-certificate", s.owner, nil)
	checkGolden(t, "registration_active", res.Body)
	want := []string{"registration.identity.verified", "registration.identity.verified",
		"registration.lifecycle.completed", "registration.certificate.activated"}
	if got := s.processEvents(r.ID); !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}

	rejected := s.newRegistration(s.owner)
	s.expect(200, "POST", "/v1/registrations/"+rejected.ID+"/reject-identity", s.owner, map[string]any{"reason": "document unreadable"})
	s.expect(200, "POST", "/v1/registrations/"+rejected.ID+"/reject", s.owner, map[string]any{"reason": "identity rejected"})
	if got := s.processEvents(rejected.ID); !reflect.DeepEqual(got, []string{"registration.identity.rejected", "registration.lifecycle.rejected"}) {
		t.Fatalf("events %v", got)
	}

	expiring := s.newRegistration(s.owner)
	if n := s.applyDue(8 * 24 * time.Hour); n != 1 {
		t.Fatalf("applied %d, want the expiry", n)
	}
	if got := s.processEvents(expiring.ID); !reflect.DeepEqual(got, []string{"registration.lifecycle.expired"}) {
		t.Fatalf("events %v", got)
	}
	if c := s.do("POST", "/v1/registrations/"+expiring.ID+"/verify-identity", s.owner, map[string]any{"success": true}); c.Status != http.StatusConflict || !strings.Contains(string(c.Body), "EXPIRED") {
		t.Fatalf("verify an expired registration: %d %s", c.Status, c.Body)
	}
}

func TestRegistrationBadInput(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	r := s.newRegistration(s.owner)
	base := "/v1/registrations/" + r.ID
	_, other := s.otherWorkspace()
	for _, tc := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		field                     string
	}{
		{"bad JSON", "POST", "/v1/registrations", s.owner, "{", 400, ""},
		{"unknown field", "POST", "/v1/registrations", s.owner, map[string]any{"full_name": "J", "email": "j@x.io", "method": "web", "x": 1}, 400, "x"},
		{"no name", "POST", "/v1/registrations", s.owner, map[string]any{"email": "j@x.io", "method": "web"}, 422, "full_name"},
		{"bad email", "POST", "/v1/registrations", s.owner, map[string]any{"full_name": "J", "email": "j", "method": "web"}, 422, "email"},
		{"bad phone", "POST", "/v1/registrations", s.owner, map[string]any{"full_name": "J", "email": "j@x.io", "phone": "call me", "method": "web"}, 422, "phone"},
		{"unknown method", "POST", "/v1/registrations", s.owner, map[string]any{"full_name": "J", "email": "j@x.io", "method": "fax"}, 400, "method"},
		{"bad uuid", "GET", "/v1/registrations/x", s.owner, nil, 400, "registrationId"},
		{"unknown", "GET", "/v1/registrations/" + countersign.NewUUID(), s.owner, nil, 404, ""},
		{"other workspace", "GET", base, other, nil, 404, ""},
		{"other workspace verify", "POST", base + "/verify-identity", other, map[string]any{"success": true}, 404, ""},
		{"verify without outcome", "POST", base + "/verify-identity", s.owner, map[string]any{}, 422, "success"},
		{"verify wrong type", "POST", base + "/verify-identity", s.owner, map[string]any{"success": "yes"}, 400, "success"},
		{"reject without reason", "POST", base + "/reject", s.owner, map[string]any{}, 422, "reason"},
		{"complete without a name", "POST", base + "/complete", s.owner, map[string]any{"certificate_name": ""}, 422, "certificate_name"},
		{"complete while PENDING", "POST", base + "/complete", s.owner, map[string]any{"certificate_name": "x"}, 409, ""},
		{"complete camelCase", "POST", base + "/complete", s.owner, map[string]any{"certificateName": "x"}, 400, "certificateName"},
	} {
		res := s.do(tc.method, tc.path, tc.token, tc.body)
		if res.Status != tc.status || (tc.field != "" && res.ErrorField(t) != tc.field) {
			t.Errorf("%s: %d %s, want %d naming %q", tc.name, res.Status, res.Body, tc.status, tc.field)
		}
	}
	if got := s.processEvents(r.ID); len(got) != 0 {
		t.Fatalf("refused requests wrote events: %v", got)
	}
}
