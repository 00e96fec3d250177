package workflow

import (
	"crypto/subtle"
	"strings"
	"time"

	"github.com/countersign/countersign/events"
)

// Verification statuses of identity-validation.processed and registration.identity.verified.
const (
	VerificationSuccess = "success"
	VerificationFailure = "failure"
)

// Reasons of a failed access check (events.IdentityValidationData.Reason).
const (
	AccessSignerNotFound       = "signer_not_found"
	AccessNoPersonalCode       = "no_personal_code"
	AccessCountryMismatch      = "country_mismatch"
	AccessPersonalCodeMismatch = "personal_code_mismatch"
)

// AuthorizeAccess is authorizeProcessAccess: it checks that signer signerID of
// p is the person with personalCode issued by country. Countries compare without
// regard to case, codes after NormalizePersonalCode (so 010190-12345 and
// 01019012345 match for LV). It always emits identity-validation.processed, with
// verificationStatus success or failure and, on failure, the reason (one of the
// Access* constants); ok reports the outcome and the caller decides the HTTP
// answer. The process does not change, whatever its status. now is not used
// today: access does not depend on time, but the operation keeps the shape of
// the others.
func (p *Process) AuthorizeAccess(signerID, personalCode, country string, now time.Time) (emitted []Emitted, ok bool) {
	country = strings.ToUpper(strings.TrimSpace(country))
	reason := p.IdentifySigner(signerID, personalCode, country)
	d := events.IdentityValidationData{
		ProcessID:          p.ID,
		SignerID:           signerID,
		Country:            country,
		VerificationStatus: VerificationSuccess,
		Reason:             reason,
	}
	if reason != "" {
		d.VerificationStatus = VerificationFailure
	}
	return []Emitted{{Type: events.IdentityValidationProcessed, Data: d}}, reason == ""
}

// IdentifySigner checks that signer signerID of p is the person with
// personalCode issued by country, as AuthorizeAccess does, without recording
// anything: "" when it is, otherwise why not (one of the Access* constants).
// Codes compare in constant time, so the answer's timing does not give away
// how much of a guessed code was right.
func (p *Process) IdentifySigner(signerID, personalCode, country string) string {
	country = strings.ToUpper(strings.TrimSpace(country))
	_, sg := p.findSigner(signerID)
	switch {
	case sg == nil:
		return AccessSignerNotFound
	case sg.PersonalCode == "":
		return AccessNoPersonalCode
	case sg.Country != country:
		return AccessCountryMismatch
	case subtle.ConstantTimeCompare(
		[]byte(NormalizePersonalCode(sg.Country, sg.PersonalCode)),
		[]byte(NormalizePersonalCode(country, personalCode))) != 1:
		return AccessPersonalCodeMismatch
	}
	return ""
}
