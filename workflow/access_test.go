package workflow

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

func TestAuthorizeAccess(t *testing.T) {
	tests := []struct {
		name, signer, code, country string
		reason                      string
	}{
		{"LV exact", "s1", "161175-19997", "LV", ""},
		{"LV without hyphen, lower-case country", "s1", "16117519997", "lv", ""},
		{"LT with spaces", "s2", " 33309240064 ", "LT", ""},
		{"EE", "a1", "36805280109", "EE", ""},
		{"wrong code", "s1", "161175-19998", "LV", AccessPersonalCodeMismatch},
		{"another signer's code", "s1", "33309240064", "LT", AccessCountryMismatch},
		{"wrong country", "a1", "36805280109", "LV", AccessCountryMismatch},
		{"signer without code", "v1", "36805280109", "EE", AccessNoPersonalCode},
		{"unknown signer", "", "161175-19997", "LV", AccessSignerNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := build(t, "STARTED")
			id := f.id(tt.signer)
			if tt.signer == "" {
				id = countersign.NewUUID()
			}
			before := deepCopy(t, f.p)
			evs, ok := f.p.AuthorizeAccess(id, tt.code, tt.country, at(opTime))
			assertTypes(t, evs, events.IdentityValidationProcessed)
			d := evs[0].Data.(events.IdentityValidationData)
			want := events.IdentityValidationData{
				ProcessID: f.p.ID, SignerID: id, Country: strings.ToUpper(tt.country),
				VerificationStatus: "success", Reason: tt.reason,
			}
			if tt.reason != "" {
				want.VerificationStatus = "failure"
			}
			if ok != (tt.reason == "") || d != want {
				t.Errorf("ok = %v, event %+v; want %+v", ok, d, want)
			}
			if !reflect.DeepEqual(before, f.p) {
				t.Errorf("access check changed the process")
			}
			// The portal's own check is the same one, without the event.
			if got := f.p.IdentifySigner(id, tt.code, tt.country); got != tt.reason {
				t.Errorf("IdentifySigner = %q, want %q", got, tt.reason)
			}
		})
	}
}

func TestPostMessage(t *testing.T) {
	f := build(t, "STEP2")
	evs := must(t)(f.p.PostMessage(f.id("s1"), "When is the deadline?", at(opTime)))
	d := evs[0].Data.(events.ChatMessageData)
	if !countersign.ValidUUID(d.ID) || d.ProcessID != f.p.ID || d.SignerID != f.id("s1") ||
		d.Message != "When is the deadline?" || !d.CreatedAt.Equal(at(opTime)) {
		t.Errorf("message = %+v", d)
	}
	for name, text := range map[string]string{
		"blank":    " \n\t",
		"empty":    "",
		"too long": strings.Repeat("é", MaxMessageLength+1),
	} {
		_, err := f.p.PostMessage(f.id("s1"), text, at(opTime))
		if err == nil {
			t.Errorf("%s message accepted", name)
			continue
		}
		assertField(t, err, countersign.EVALIDATION, "message")
	}
	must(t)(f.p.PostMessage(f.id("s1"), strings.Repeat("é", MaxMessageLength), at(opTime)))
	_, err := f.p.PostMessage(f.id("s1"), "\xff", at(opTime))
	assertField(t, err, countersign.EINVALID, "message")
}

// Unknown steps and signers are ENOTFOUND whatever the state.
func TestLookups(t *testing.T) {
	f := build(t, "WAITING")
	nobody := countersign.NewUUID()
	if _, ok := f.p.Signer(nobody); ok {
		t.Error("Signer found nobody")
	}
	if _, ok := f.p.Step(nobody); ok {
		t.Error("Step found nowhere")
	}
	if s, ok := f.p.Signer(f.id("a1")); !ok || s.Name != "a1" {
		t.Errorf("Signer(a1) = %+v", s)
	}
	_, err := f.p.PostMessage(nobody, "hi", at(opTime))
	assertCode(t, err, countersign.ENOTFOUND)
	_, err = f.p.EndWaitingPeriod(nobody, at(afterWait))
	assertCode(t, err, countersign.ENOTFOUND)
	_, err = f.p.ManualReminder(nobody, at(opTime))
	assertCode(t, err, countersign.ENOTFOUND)
	_, err = f.p.Decline(nobody, events.StallActionRefusal, at(opTime))
	assertCode(t, err, countersign.ENOTFOUND)
}

func TestExpireWithoutExpiresAt(t *testing.T) {
	in := fixtureInput(false)
	in.ExpiresAt = nil
	p, _, err := NewProcess(in, tActor, t0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Expire(at(100 * 365 * day))
	assertCode(t, err, countersign.ECONFLICT)
	if _, ok := p.NextDue(); ok {
		t.Error("a pending process without expiresAt is due")
	}
}

// While paused, a step in its waiting period keeps it, and its new due date
// must come after it.
func TestUpdateStepInWaitingPeriod(t *testing.T) {
	f := build(t, "WAITING")
	must(t)(f.p.Pause(at(opTime)))
	_, err := f.p.UpdateStep(f.stepA, StepInput{WaitingPeriodEndsAt: tp(waitEnd), DueDate: tp(time.Hour)}, at(opTime))
	assertField(t, err, countersign.EVALIDATION, "dueDate")
	must(t)(f.p.UpdateStep(f.stepA, StepInput{WaitingPeriodEndsAt: tp(waitEnd), DueDate: tp(day)}, at(opTime)))
	_, err = f.p.UpdateStep(f.stepA, StepInput{DueDate: tp(day)}, at(opTime))
	assertCode(t, err, countersign.ECONFLICT)
}
