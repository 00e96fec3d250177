package workflow

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// RegistrationTTL is how long a registration may take before it expires.
const RegistrationTTL = 7 * 24 * time.Hour

// RegistrationStatus is the state of a signer registration.
//
// A registration starts PENDING. VerifyIdentity records an identity check:
// IDENTITY_VERIFIED on success, IDENTITY_FAILED on failure, from which the check
// may be tried again. RejectIdentity refuses the identity for good
// (IDENTITY_REJECTED): nothing but RejectLifecycle or expiry follows. Complete
// issues the certificate (COMPLETED, from IDENTITY_VERIFIED only) and
// ActivateCertificate activates it (CERTIFICATE_ACTIVE). RejectLifecycle
// (REJECTED) and Expire (EXPIRED) end a registration that has not completed.
// REJECTED, EXPIRED and CERTIFICATE_ACTIVE are final.
type RegistrationStatus string

// The registration statuses.
const (
	RegistrationPending           RegistrationStatus = "PENDING"
	RegistrationIdentityVerified  RegistrationStatus = "IDENTITY_VERIFIED"
	RegistrationIdentityFailed    RegistrationStatus = "IDENTITY_FAILED"
	RegistrationIdentityRejected  RegistrationStatus = "IDENTITY_REJECTED"
	RegistrationRejected          RegistrationStatus = "REJECTED"
	RegistrationExpired           RegistrationStatus = "EXPIRED"
	RegistrationCompleted         RegistrationStatus = "COMPLETED"
	RegistrationCertificateActive RegistrationStatus = "CERTIFICATE_ACTIVE"
)

// RegistrationStatuses lists every registration status.
var RegistrationStatuses = []RegistrationStatus{
	RegistrationPending, RegistrationIdentityVerified, RegistrationIdentityFailed,
	RegistrationIdentityRejected, RegistrationRejected, RegistrationExpired,
	RegistrationCompleted, RegistrationCertificateActive,
}

// Valid reports whether s is a known registration status.
func (s RegistrationStatus) Valid() bool { return slices.Contains(RegistrationStatuses, s) }

// Open reports whether a registration in s has not completed and not ended:
// it can still be rejected or expire.
func (s RegistrationStatus) Open() bool {
	return s == RegistrationPending || s == RegistrationIdentityVerified ||
		s == RegistrationIdentityFailed || s == RegistrationIdentityRejected
}

// RegistrationMethod is how a registrant's identity is verified.
type RegistrationMethod string

// The registration methods.
const (
	MethodPVID RegistrationMethod = "pvid"
	MethodWeb  RegistrationMethod = "web"
)

// Valid reports whether m is a known method.
func (m RegistrationMethod) Valid() bool { return m == MethodPVID || m == MethodWeb }

// RegistrationInput is the body of a registration request.
type RegistrationInput struct {
	FullName string             `json:"full_name"`
	Email    string             `json:"email"`
	Phone    string             `json:"phone"`
	Method   RegistrationMethod `json:"method"`
}

// Registration is a signer's registration: identity verification, then the
// issue and activation of a signing certificate (the registration.*
// lifecycle).
type Registration struct {
	ID          string
	WorkspaceID string
	APIKeyID    string
	FullName    string
	Email       string
	Phone       string
	Method      RegistrationMethod
	Status      RegistrationStatus
	// CertificateName is set by Complete; Reason by RejectIdentity and RejectLifecycle.
	CertificateName string
	Reason          string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// ExpiresAt is CreatedAt + RegistrationTTL.
	ExpiresAt   time.Time
	CompletedAt *time.Time
}

var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ]{5,19}$`)

// NewRegistration validates in and returns a PENDING registration that expires
// RegistrationTTL after now. fullName and email are required, phone optional
// (digits and spaces, an optional leading +), method pvid or web. No event type
// exists for a new registration.
func NewRegistration(in RegistrationInput, actor countersign.Actor, now time.Time) (*Registration, error) {
	if strings.TrimSpace(in.FullName) == "" {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "full_name", "is required")
	}
	if err := checkText("full_name", in.FullName, maxShortText); err != nil {
		return nil, err
	}
	if in.Email == "" {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "email", "is required")
	}
	if err := checkEmail("email", in.Email); err != nil {
		return nil, err
	}
	if in.Phone != "" && !phoneRE.MatchString(in.Phone) {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "phone", "%q is not a phone number", in.Phone)
	}
	if !in.Method.Valid() {
		return nil, countersign.FieldErrorf(countersign.EINVALID, "method", "must be pvid or web")
	}
	return &Registration{
		ID: countersign.NewUUID(), WorkspaceID: actor.WorkspaceID, APIKeyID: actor.APIKeyID,
		FullName: in.FullName, Email: in.Email, Phone: in.Phone, Method: in.Method,
		Status: RegistrationPending, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(RegistrationTTL),
	}, nil
}

// VerifyIdentity records an identity check of a PENDING or IDENTITY_FAILED
// registration: IDENTITY_VERIFIED when success, IDENTITY_FAILED otherwise. It
// emits registration.identity.verified with verification_status success or
// failure.
func (r *Registration) VerifyIdentity(success bool, now time.Time) ([]Emitted, error) {
	if err := r.allow("verify its identity", now, RegistrationPending, RegistrationIdentityFailed); err != nil {
		return nil, err
	}
	r.Status, r.UpdatedAt = RegistrationIdentityFailed, now
	verdict := VerificationFailure
	if success {
		r.Status, verdict = RegistrationIdentityVerified, VerificationSuccess
	}
	d := r.Payload()
	d.VerificationStatus = verdict
	return []Emitted{{Type: events.RegistrationIdentityVerified, Data: d}}, nil
}

// RejectIdentity refuses the identity of a PENDING, IDENTITY_FAILED or
// IDENTITY_VERIFIED registration for good (IDENTITY_REJECTED); reason is
// optional. It emits registration.identity.rejected.
func (r *Registration) RejectIdentity(reason string, now time.Time) ([]Emitted, error) {
	if err := checkText("reason", reason, maxLongText); err != nil {
		return nil, err
	}
	if err := r.allow("reject its identity", now, RegistrationPending, RegistrationIdentityFailed, RegistrationIdentityVerified); err != nil {
		return nil, err
	}
	r.Status, r.Reason, r.UpdatedAt = RegistrationIdentityRejected, reason, now
	return []Emitted{{Type: events.RegistrationIdentityRejected, Data: r.Payload()}}, nil
}

// RejectLifecycle ends an open registration (not completed, not ended) as
// REJECTED for reason, which is required. It emits registration.lifecycle.rejected.
func (r *Registration) RejectLifecycle(reason string, now time.Time) ([]Emitted, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "reason", "is required")
	}
	if err := checkText("reason", reason, maxLongText); err != nil {
		return nil, err
	}
	if err := r.allow("reject", now, RegistrationPending, RegistrationIdentityFailed, RegistrationIdentityVerified, RegistrationIdentityRejected); err != nil {
		return nil, err
	}
	r.Status, r.Reason, r.UpdatedAt = RegistrationRejected, reason, now
	return []Emitted{{Type: events.RegistrationLifecycleRejected, Data: r.Payload()}}, nil
}

// Expire ends an open registration whose ExpiresAt is at or before now as
// EXPIRED and emits registration.lifecycle.expired. A completed or ended
// registration, or one not yet due, is a conflict.
func (r *Registration) Expire(now time.Time) ([]Emitted, error) {
	if !r.Status.Open() {
		return nil, conflict("registration is %s; cannot expire", r.Status)
	}
	if now.Before(r.ExpiresAt) {
		return nil, conflict("registration is %s until %s; cannot expire yet", r.Status, stamp(r.ExpiresAt))
	}
	r.Status, r.UpdatedAt = RegistrationExpired, now
	return []Emitted{{Type: events.RegistrationLifecycleExpired, Data: r.Payload()}}, nil
}

// Complete records that the certificate certificateName (required) was issued
// to an IDENTITY_VERIFIED registration: COMPLETED, completedAt = now. It emits
// registration.lifecycle.completed.
func (r *Registration) Complete(certificateName string, now time.Time) ([]Emitted, error) {
	if strings.TrimSpace(certificateName) == "" {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, "certificate_name", "is required")
	}
	if err := checkText("certificate_name", certificateName, maxShortText); err != nil {
		return nil, err
	}
	if err := r.allow("complete", now, RegistrationIdentityVerified); err != nil {
		return nil, err
	}
	r.Status, r.CertificateName, r.UpdatedAt, r.CompletedAt = RegistrationCompleted, certificateName, now, ptr(now)
	return []Emitted{{Type: events.RegistrationLifecycleCompleted, Data: r.Payload()}}, nil
}

// ActivateCertificate activates the certificate of a COMPLETED registration
// (CERTIFICATE_ACTIVE) and emits registration.certificate.activated. A completed
// registration no longer expires.
func (r *Registration) ActivateCertificate(now time.Time) ([]Emitted, error) {
	if r.Status != RegistrationCompleted {
		return nil, conflict("registration is %s; cannot activate its certificate", r.Status)
	}
	r.Status, r.UpdatedAt = RegistrationCertificateActive, now
	return []Emitted{{Type: events.RegistrationCertificateActivated, Data: r.Payload()}}, nil
}

// NextDue returns when the registration expires, while it is open: when a
// scheduler should call Expire.
func (r *Registration) NextDue() (time.Time, bool) {
	if !r.Status.Open() {
		return time.Time{}, false
	}
	return r.ExpiresAt, true
}

// allow returns nil when r's status is one of from and r has not expired at now.
// Past ExpiresAt an open registration only expires: the scheduler may not have
// called Expire yet, and a late operation must not beat it.
func (r *Registration) allow(verb string, now time.Time, from ...RegistrationStatus) error {
	if !slices.Contains(from, r.Status) {
		return conflict("registration is %s; cannot %s", r.Status, verb)
	}
	if !now.Before(r.ExpiresAt) {
		return conflict("registration is %s but expired at %s; cannot %s", r.Status, stamp(r.ExpiresAt), verb)
	}
	return nil
}

// Payload returns the registration as the registration.* events show it.
func (r *Registration) Payload() events.RegistrationData {
	return events.RegistrationData{
		ID: r.ID, Status: string(r.Status), FullName: r.FullName, Email: r.Email, Phone: r.Phone,
		Method: string(r.Method), CertificateName: r.CertificateName, Reason: r.Reason,
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, CompletedAt: clonePtr(r.CompletedAt),
	}
}
