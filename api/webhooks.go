package api

import (
	"bytes"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

// MaxRotationGraceSeconds bounds rotateWebhookSecret's grace period (7 days).
const MaxRotationGraceSeconds = 7 * 24 * 3600

// EndpointList is the answer of listWebhookEndpoints.
type EndpointList struct {
	Object string         `json:"object"`
	Data   []EndpointView `json:"data"`
}

// RotateSecretRequest is the optional body of rotateWebhookSecret.
type RotateSecretRequest struct {
	// GracePeriodSeconds is how long the previous secret keeps signing, 0 to
	// 604800 (default 86400).
	GracePeriodSeconds *int `json:"grace_period_seconds"`
	// SignatureScheme is the scheme of the new credential, the endpoint's
	// own when left out: rotating is how an endpoint changes its scheme.
	SignatureScheme *webhook.SignatureScheme `json:"signature_scheme"`
}

// webhookRoutes registers the webhook registry, the delivery log and replays.
func (s *Server) webhookRoutes() {
	const tag, base = "webhooks", "/v1/webhooks/endpoints"
	perm := countersign.PermManageWebhooks
	s.handle(Operation{ID: "createWebhookEndpoint", Method: http.MethodPost, Path: base, Tag: tag, Perm: perm,
		Summary: "Register a webhook endpoint; its signing secret (hmac-sha256) is in this answer only, its public key (ed25519) in every one", Request: webhook.EndpointInput{},
		BodyRequired: []string{"url", "event_types"}, Response: EndpointView{}, Status: http.StatusCreated}, s.createEndpoint)
	s.handle(Operation{ID: "listWebhookEndpoints", Method: http.MethodGet, Path: base, Tag: tag, Perm: perm,
		Summary: "List the workspace's webhook endpoints with their health", Response: EndpointList{}}, s.listEndpoints)
	s.handle(Operation{ID: "getWebhookEndpoint", Method: http.MethodGet, Path: base + "/:id", Tag: tag, Perm: perm,
		Summary: "Get a webhook endpoint with its health", Response: EndpointView{}}, s.getEndpoint)
	s.handle(Operation{ID: "updateWebhookEndpoint", Method: http.MethodPatch, Path: base + "/:id", Tag: tag, Perm: perm,
		Summary: "Change a webhook endpoint; enabling it again clears its disabled state", Request: webhook.EndpointInput{},
		Response: EndpointView{}}, s.updateEndpoint)
	s.handle(Operation{ID: "deleteWebhookEndpoint", Method: http.MethodDelete, Path: base + "/:id", Tag: tag, Perm: perm,
		Summary: "Delete a webhook endpoint; its delivery log stays", Status: http.StatusNoContent}, s.deleteEndpoint)
	s.handle(Operation{ID: "rotateWebhookSecret", Method: http.MethodPost, Path: base + "/:id/secret/rotate", Tag: tag, Perm: perm,
		Summary: "Replace the signing secret or key pair, optionally of the other signature_scheme; the previous one keeps signing for the grace period (body optional)",
		Request: RotateSecretRequest{}, OptionalBody: true, Response: EndpointView{}}, s.rotateSecret)
	// Secrets follow endpoint management: a key that may register an endpoint
	// (and so receives its secret), point it elsewhere or delete it gains
	// nothing it lacks from reading or rotating the secret, and its
	// receivers need the secret to verify signatures.
	s.handle(Operation{ID: "getWebhookSecret", Method: http.MethodGet, Path: base + "/:id/secret", Tag: tag,
		Perm: perm, Summary: "Get what verifies a webhook endpoint's signatures: its secrets or public keys (owner, admin and integrator keys)",
		Response: SecretView{}}, s.getSecret)
	s.handle(Operation{ID: "testWebhookEndpoint", Method: http.MethodPost, Path: base + "/:id/test", Tag: tag, Perm: perm,
		Summary: "Send a webhook.test event to this endpoint only", Response: DeliveryView{}, Status: http.StatusAccepted}, s.testEndpoint)
	s.deliveryRoutes()
	s.replayRoutes()
}

func (s *Server) createEndpoint(c *fiber.Ctx) error {
	var in webhook.EndpointInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	if err := in.Validate(c.UserContext(), s.deps.Guard, true); err != nil {
		return err
	}
	e, err := s.deps.Webhooks.CreateEndpoint(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	v, err := s.endpointView(c, e)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(withSecret(v, e))
}

func (s *Server) listEndpoints(c *fiber.Ctx) error {
	es, err := s.deps.Webhooks.ListEndpoints(c.UserContext(), actor(c).WorkspaceID)
	if err != nil {
		return err
	}
	list := EndpointList{Object: "list", Data: make([]EndpointView, len(es))}
	for i, e := range es {
		if list.Data[i], err = s.endpointView(c, e); err != nil {
			return err
		}
	}
	return c.JSON(list)
}

func (s *Server) getEndpoint(c *fiber.Ctx) error {
	e, err := s.pathEndpoint(c)
	if err != nil {
		return err
	}
	v, err := s.endpointView(c, e)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (s *Server) updateEndpoint(c *fiber.Ctx) error {
	id, err := pathID(c, "id", countersign.PrefixEndpoint)
	if err != nil {
		return err
	}
	var in webhook.EndpointInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	if err := in.Validate(c.UserContext(), s.deps.Guard, false); err != nil {
		return err
	}
	if slices.Contains(slices.Collect(maps.Values(in.Headers)), webhook.MaskedValue) {
		// headers read back and sent again: each mask must stand for a stored value
		cur, err := s.deps.Webhooks.GetEndpoint(c.UserContext(), actor(c).WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := in.CheckMasks(cur); err != nil {
			return err
		}
	}
	e, err := s.deps.Webhooks.UpdateEndpoint(c.UserContext(), actor(c), id, in)
	if err != nil {
		return err
	}
	v, err := s.endpointView(c, e)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (s *Server) deleteEndpoint(c *fiber.Ctx) error {
	id, err := pathID(c, "id", countersign.PrefixEndpoint)
	if err != nil {
		return err
	}
	if err := s.deps.Webhooks.DeleteEndpoint(c.UserContext(), actor(c), id); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

func (s *Server) rotateSecret(c *fiber.Ctx) error {
	id, err := pathID(c, "id", countersign.PrefixEndpoint)
	if err != nil {
		return err
	}
	var req RotateSecretRequest
	if err := decodeOptional(c, &req); err != nil {
		return err
	}
	grace := webhook.DefaultRotationGrace
	if g := req.GracePeriodSeconds; g != nil {
		if *g < 0 || *g > MaxRotationGraceSeconds {
			return countersign.FieldErrorf(countersign.EVALIDATION, "grace_period_seconds",
				"grace_period_seconds must be from 0 to %d", MaxRotationGraceSeconds)
		}
		grace = time.Duration(*g) * time.Second
	}
	var scheme webhook.SignatureScheme
	if req.SignatureScheme != nil {
		if err := req.SignatureScheme.Validate(); err != nil {
			return err
		}
		scheme = *req.SignatureScheme
	}
	e, err := s.deps.Webhooks.RotateEndpointSecret(c.UserContext(), actor(c), id, grace, scheme)
	if err != nil {
		return err
	}
	s.log.Info("webhook secret rotated", "workspace_id", e.WorkspaceID, "endpoint_id", e.ID, "api_key_id", actor(c).APIKeyID,
		"grace", grace.String(), "signature_scheme", string(e.Scheme()))
	v, err := s.endpointView(c, e)
	if err != nil {
		return err
	}
	return c.JSON(withSecret(v, e))
}

func (s *Server) getSecret(c *fiber.Ctx) error {
	e, err := s.pathEndpoint(c)
	if err != nil {
		return err
	}
	return c.JSON(NewSecretView(e, time.Now()))
}

func (s *Server) testEndpoint(c *fiber.Ctx) error {
	id, err := pathID(c, "id", countersign.PrefixEndpoint)
	if err != nil {
		return err
	}
	_, d, err := s.deps.Webhooks.SendTestEvent(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	return c.Status(http.StatusAccepted).JSON(NewDeliveryView(d))
}

// pathEndpoint loads the endpoint named by the :id path parameter.
func (s *Server) pathEndpoint(c *fiber.Ctx) (webhook.Endpoint, error) {
	id, err := pathID(c, "id", countersign.PrefixEndpoint)
	if err != nil {
		return webhook.Endpoint{}, err
	}
	return s.deps.Webhooks.GetEndpoint(c.UserContext(), actor(c).WorkspaceID, id)
}

// endpointView returns e's view with its health over the last 24 hours.
func (s *Server) endpointView(c *fiber.Ctx, e webhook.Endpoint) (EndpointView, error) {
	h, err := s.deps.Webhooks.EndpointHealth(c.UserContext(), e.WorkspaceID, e.ID, time.Now().Add(-webhook.HealthWindow))
	if err != nil {
		return EndpointView{}, err
	}
	return NewEndpointView(e, h), nil
}

// decodeOptional decodes a JSON body like decodeStrict when there is one; an
// empty body leaves v as it is.
func decodeOptional(c *fiber.Ctx, v any) error {
	if len(bytes.TrimSpace(c.Body())) == 0 {
		return nil
	}
	return decodeStrict(c, v)
}
