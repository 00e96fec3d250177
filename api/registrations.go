package api

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/workflow"
)

// VerifyIdentityRequest is the body of verifyRegistrationIdentity.
type VerifyIdentityRequest struct {
	// Success, required, is the outcome of the identity check.
	Success *bool `json:"success"`
}

// ReasonRequest is the body of rejectRegistrationIdentity (reason optional)
// and rejectRegistration (reason required).
type ReasonRequest struct {
	Reason string `json:"reason"`
}

// CompleteRegistrationRequest is the body of completeRegistration.
type CompleteRegistrationRequest struct {
	CertificateName string `json:"certificate_name"`
}

// registrationRoutes registers the signer-registration resource: the
// registration.* lifecycle. Its bodies are snake_case like the
// registration.* events.
func (s *Server) registrationRoutes() {
	const tag = "registrations"
	perm := countersign.PermProcesses
	reg := events.RegistrationData{}
	for _, r := range []struct {
		op Operation
		h  fiber.Handler
	}{
		{Operation{ID: "createRegistration", Method: http.MethodPost, Path: "/v1/registrations", Summary: "Start a signer registration (PENDING; expires in 7 days)",
			Request: workflow.RegistrationInput{}, BodyRequired: []string{"full_name", "email", "method"}, Response: reg, Status: http.StatusCreated, Audit: workflow.AuditAuthStart}, s.createRegistration},
		{Operation{ID: "getRegistration", Method: http.MethodGet, Path: "/v1/registrations/:registrationId", Summary: "Get a signer registration",
			Response: reg, Audit: workflow.AuditProcessGetOne}, s.getRegistration},
		{Operation{ID: "verifyRegistrationIdentity", Method: http.MethodPost, Path: "/v1/registrations/:registrationId/verify-identity",
			Summary: "Record the outcome of the registrant's identity check", Request: VerifyIdentityRequest{}, BodyRequired: []string{"success"}, Response: reg,
			Audit: workflow.AuditAuthCompleted}, s.verifyRegistrationIdentity},
		{Operation{ID: "rejectRegistrationIdentity", Method: http.MethodPost, Path: "/v1/registrations/:registrationId/reject-identity",
			Summary: "Reject the registrant's identity for good", Request: ReasonRequest{}, Response: reg,
			Audit: workflow.AuditLoginFault}, s.rejectRegistrationIdentity},
		{Operation{ID: "rejectRegistration", Method: http.MethodPost, Path: "/v1/registrations/:registrationId/reject",
			Summary: "End an open registration as REJECTED", Request: ReasonRequest{}, BodyRequired: []string{"reason"}, Response: reg,
			Audit: workflow.AuditLoginFault}, s.rejectRegistration},
		{Operation{ID: "completeRegistration", Method: http.MethodPost, Path: "/v1/registrations/:registrationId/complete",
			Summary: "Record the certificate issued to a verified registrant", Request: CompleteRegistrationRequest{}, BodyRequired: []string{"certificate_name"}, Response: reg,
			Audit: workflow.AuditAuthCompleted}, s.completeRegistration},
		{Operation{ID: "activateRegistrationCertificate", Method: http.MethodPost, Path: "/v1/registrations/:registrationId/activate-certificate",
			Summary: "Activate the certificate of a completed registration", Response: reg, Audit: workflow.AuditAuthCompleted}, s.activateRegistrationCertificate},
	} {
		r.op.Tag, r.op.Perm = tag, perm
		s.handle(r.op, r.h)
	}
}

func (s *Server) createRegistration(c *fiber.Ctx) error {
	var in workflow.RegistrationInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	r, err := s.deps.Registrations.CreateRegistration(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(r.Payload())
}

func (s *Server) getRegistration(c *fiber.Ctx) error {
	id, err := pathUUID(c, "registrationId")
	if err != nil {
		return err
	}
	r, err := s.deps.Registrations.GetRegistration(c.UserContext(), actor(c).WorkspaceID, id)
	if err != nil {
		return err
	}
	return c.JSON(r.Payload())
}

// changeRegistration runs cmd on the registration of the path and answers it.
func (s *Server) changeRegistration(c *fiber.Ctx, cmd workflow.RegistrationCommand) error {
	id, err := pathUUID(c, "registrationId")
	if err != nil {
		return err
	}
	r, err := s.deps.Registrations.ChangeRegistration(c.UserContext(), actor(c), id, cmd)
	if err != nil {
		return err
	}
	return c.JSON(r.Payload())
}

func (s *Server) verifyRegistrationIdentity(c *fiber.Ctx) error {
	var req VerifyIdentityRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if req.Success == nil {
		return countersign.FieldErrorf(countersign.EVALIDATION, "success", "success is required")
	}
	return s.changeRegistration(c, func(r *workflow.Registration, now time.Time) ([]workflow.Emitted, error) {
		return r.VerifyIdentity(*req.Success, now)
	})
}

func (s *Server) rejectRegistrationIdentity(c *fiber.Ctx) error {
	var req ReasonRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	return s.changeRegistration(c, func(r *workflow.Registration, now time.Time) ([]workflow.Emitted, error) {
		return r.RejectIdentity(req.Reason, now)
	})
}

func (s *Server) rejectRegistration(c *fiber.Ctx) error {
	var req ReasonRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	return s.changeRegistration(c, func(r *workflow.Registration, now time.Time) ([]workflow.Emitted, error) {
		return r.RejectLifecycle(req.Reason, now)
	})
}

func (s *Server) completeRegistration(c *fiber.Ctx) error {
	var req CompleteRegistrationRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	return s.changeRegistration(c, func(r *workflow.Registration, now time.Time) ([]workflow.Emitted, error) {
		return r.Complete(req.CertificateName, now)
	})
}

func (s *Server) activateRegistrationCertificate(c *fiber.Ctx) error {
	return s.changeRegistration(c, func(r *workflow.Registration, now time.Time) ([]workflow.Emitted, error) {
		return r.ActivateCertificate(now)
	})
}
