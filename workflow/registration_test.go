package workflow

import (
	"reflect"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

func newRegistration(t *testing.T) *Registration {
	t.Helper()
	r, err := NewRegistration(RegistrationInput{FullName: "Jane Doe", Email: "jane@example.com", Phone: "+371 2000 0000", Method: MethodPVID}, tActor, t0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type regOp func(r *Registration) ([]Emitted, error)

var (
	regSoon = t0.Add(time.Hour)
	regLate = t0.Add(RegistrationTTL)
)

var regOps = map[string]regOp{
	"VerifyIdentity ok":   func(r *Registration) ([]Emitted, error) { return r.VerifyIdentity(true, regSoon) },
	"VerifyIdentity fail": func(r *Registration) ([]Emitted, error) { return r.VerifyIdentity(false, regSoon) },
	"VerifyIdentity late": func(r *Registration) ([]Emitted, error) { return r.VerifyIdentity(true, regLate) },
	"RejectIdentity":      func(r *Registration) ([]Emitted, error) { return r.RejectIdentity("document forged", regSoon) },
	"RejectLifecycle":     func(r *Registration) ([]Emitted, error) { return r.RejectLifecycle("duplicate", regSoon) },
	"Expire":              func(r *Registration) ([]Emitted, error) { return r.Expire(regLate) },
	"Expire early":        func(r *Registration) ([]Emitted, error) { return r.Expire(regLate.Add(-time.Second)) },
	"Complete":            func(r *Registration) ([]Emitted, error) { return r.Complete("CN=Jane Doe", regSoon) },
	"Complete late":       func(r *Registration) ([]Emitted, error) { return r.Complete("CN=Jane Doe", regLate) },
	"ActivateCertificate": func(r *Registration) ([]Emitted, error) { return r.ActivateCertificate(regLate.Add(day)) },
}

// How each status is reached from PENDING.
var regPaths = map[RegistrationStatus][]string{
	RegistrationPending:           nil,
	RegistrationIdentityFailed:    {"VerifyIdentity fail"},
	RegistrationIdentityVerified:  {"VerifyIdentity ok"},
	RegistrationIdentityRejected:  {"RejectIdentity"},
	RegistrationRejected:          {"RejectLifecycle"},
	RegistrationExpired:           {"Expire"},
	RegistrationCompleted:         {"VerifyIdentity ok", "Complete"},
	RegistrationCertificateActive: {"VerifyIdentity ok", "Complete", "ActivateCertificate"},
}

type regOutcome struct {
	to RegistrationStatus
	ev events.Type
}

// regTable lists the legal transitions; every other (status, operation) pair
// is a conflict.
var regTable = map[RegistrationStatus]map[string]regOutcome{
	RegistrationPending: {
		"VerifyIdentity ok":   {RegistrationIdentityVerified, events.RegistrationIdentityVerified},
		"VerifyIdentity fail": {RegistrationIdentityFailed, events.RegistrationIdentityVerified},
		"RejectIdentity":      {RegistrationIdentityRejected, events.RegistrationIdentityRejected},
		"RejectLifecycle":     {RegistrationRejected, events.RegistrationLifecycleRejected},
		"Expire":              {RegistrationExpired, events.RegistrationLifecycleExpired},
	},
	RegistrationIdentityFailed: {
		"VerifyIdentity ok":   {RegistrationIdentityVerified, events.RegistrationIdentityVerified},
		"VerifyIdentity fail": {RegistrationIdentityFailed, events.RegistrationIdentityVerified},
		"RejectIdentity":      {RegistrationIdentityRejected, events.RegistrationIdentityRejected},
		"RejectLifecycle":     {RegistrationRejected, events.RegistrationLifecycleRejected},
		"Expire":              {RegistrationExpired, events.RegistrationLifecycleExpired},
	},
	RegistrationIdentityVerified: {
		"RejectIdentity":  {RegistrationIdentityRejected, events.RegistrationIdentityRejected},
		"RejectLifecycle": {RegistrationRejected, events.RegistrationLifecycleRejected},
		"Expire":          {RegistrationExpired, events.RegistrationLifecycleExpired},
		"Complete":        {RegistrationCompleted, events.RegistrationLifecycleCompleted},
	},
	RegistrationIdentityRejected: {
		"RejectLifecycle": {RegistrationRejected, events.RegistrationLifecycleRejected},
		"Expire":          {RegistrationExpired, events.RegistrationLifecycleExpired},
	},
	RegistrationCompleted: {
		"ActivateCertificate": {RegistrationCertificateActive, events.RegistrationCertificateActivated},
	},
}

func TestRegistrationTransitions(t *testing.T) {
	for _, from := range RegistrationStatuses {
		for name, op := range regOps {
			t.Run(string(from)+"/"+name, func(t *testing.T) {
				r := newRegistration(t)
				for _, step := range regPaths[from] {
					if _, err := regOps[step](r); err != nil {
						t.Fatalf("reaching %s: %s: %v", from, step, err)
					}
				}
				if r.Status != from {
					t.Fatalf("reached %s, want %s", r.Status, from)
				}
				before := *r
				evs, err := op(r)
				want, legal := regTable[from][name]
				if !legal {
					assertCode(t, err, countersign.ECONFLICT)
					if !reflect.DeepEqual(before, *r) || evs != nil {
						t.Errorf("failed transition changed the registration or emitted %v", types(evs))
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				assertTypes(t, evs, want.ev)
				d := evs[0].Data.(events.RegistrationData)
				if r.Status != want.to || d.Status != string(want.to) || d.ID != r.ID {
					t.Errorf("status %s, event %+v; want %s", r.Status, d, want.to)
				}
			})
		}
	}
}

func TestRegistrationPayloads(t *testing.T) {
	r := newRegistration(t)
	if !r.ExpiresAt.Equal(t0.Add(7*day)) || !countersign.ValidUUID(r.ID) || r.WorkspaceID != "wsp_test" {
		t.Fatalf("registration = %+v", r)
	}
	if due, ok := r.NextDue(); !ok || !due.Equal(r.ExpiresAt) {
		t.Errorf("NextDue = %v, %v", due, ok)
	}
	evs := must(t)(r.VerifyIdentity(false, regSoon))
	if d := evs[0].Data.(events.RegistrationData); d.VerificationStatus != "failure" || d.Method != "pvid" {
		t.Errorf("failed verification = %+v", d)
	}
	evs = must(t)(r.VerifyIdentity(true, regSoon))
	if d := evs[0].Data.(events.RegistrationData); d.VerificationStatus != "success" || d.Status != "IDENTITY_VERIFIED" {
		t.Errorf("verification = %+v", d)
	}
	evs = must(t)(r.Complete("CN=Jane Doe", regSoon))
	d := evs[0].Data.(events.RegistrationData)
	if d.CertificateName != "CN=Jane Doe" || d.CompletedAt == nil || !d.CompletedAt.Equal(regSoon) || d.VerificationStatus != "" {
		t.Errorf("completed = %+v", d)
	}
	if _, ok := r.NextDue(); ok {
		t.Errorf("a completed registration is still due")
	}
	r2 := newRegistration(t)
	evs = must(t)(r2.RejectLifecycle("duplicate", regSoon))
	if d := evs[0].Data.(events.RegistrationData); d.Reason != "duplicate" {
		t.Errorf("rejected = %+v", d)
	}
}

func TestRegistrationValidation(t *testing.T) {
	valid := RegistrationInput{FullName: "Jane", Email: "jane@example.com", Method: MethodWeb}
	tests := []struct {
		name        string
		edit        func(in *RegistrationInput)
		code, field string
	}{
		{"no name", func(in *RegistrationInput) { in.FullName = " " }, countersign.EVALIDATION, "full_name"},
		{"no email", func(in *RegistrationInput) { in.Email = "" }, countersign.EVALIDATION, "email"},
		{"bad email", func(in *RegistrationInput) { in.Email = "jane" }, countersign.EVALIDATION, "email"},
		{"bad phone", func(in *RegistrationInput) { in.Phone = "call me" }, countersign.EVALIDATION, "phone"},
		{"bad method", func(in *RegistrationInput) { in.Method = "fax" }, countersign.EINVALID, "method"},
		{"no method", func(in *RegistrationInput) { in.Method = "" }, countersign.EINVALID, "method"},
	}
	for _, tt := range tests {
		in := valid
		tt.edit(&in)
		r, err := NewRegistration(in, tActor, t0)
		if r != nil {
			t.Errorf("%s: got a registration", tt.name)
		}
		assertField(t, err, tt.code, tt.field)
	}
	r := newRegistration(t)
	_, err := r.RejectLifecycle("", regSoon)
	assertField(t, err, countersign.EVALIDATION, "reason")
	must(t)(r.VerifyIdentity(true, regSoon))
	_, err = r.Complete("", regSoon)
	assertField(t, err, countersign.EVALIDATION, "certificate_name")
	if r.Status != RegistrationIdentityVerified {
		t.Errorf("status = %s", r.Status)
	}
}
