package api_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/webhook"
)

// An Ed25519 endpoint shows its public key wherever an HMAC endpoint shows
// its secret, and its signing key nowhere; rotations keep or change the
// scheme, and the previous credential is shown for what it is.
func TestWebhookEd25519EndpointShowsOnlyItsPublicKey(t *testing.T) {
	s, _, _ := newWebhookServer(t)
	const endpoints = "/v1/webhooks/endpoints"
	var bodies [][]byte // every answer about the endpoint
	do := func(method, path string, body any, want int) response {
		t.Helper()
		res := s.do(method, path, s.owner, body)
		if res.Status != want {
			t.Fatalf("%s %s: %d %s", method, path, res.Status, res.Body)
		}
		bodies = append(bodies, res.Body)
		return res
	}
	var created api.EndpointView
	decodeWH(t, do("POST", endpoints, map[string]any{"url": "http://127.0.0.1:9/hook", "event_types": []string{"*"},
		"signature_scheme": "ed25519"}, http.StatusCreated), &created)
	if created.SignatureScheme != webhook.SchemeEd25519 || created.Secret != "" || !strings.HasPrefix(created.PublicKey, webhook.PublicKeyPrefix) {
		t.Fatalf("created: %+v", created)
	}
	base := endpoints + "/" + created.ID
	e, err := s.db.Webhooks().GetEndpoint(context.Background(), s.ws.WorkspaceID, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pub, err := webhook.PublicKeyOf(e.Secret); err != nil || pub != created.PublicKey {
		t.Fatalf("stored key %v does not match the public key shown", err)
	}
	var got api.EndpointView
	decodeWH(t, do("GET", base, nil, 200), &got)
	if got.PublicKey != created.PublicKey || got.SignatureScheme != webhook.SchemeEd25519 {
		t.Fatalf("get: %+v", got)
	}
	do("GET", endpoints, nil, 200)
	decodeWH(t, do("PATCH", base, map[string]any{"description": "keyed", "signature_scheme": "ed25519"}, 200), &got)
	if got.PublicKey != created.PublicKey {
		t.Fatalf("an update repeating the scheme changed the key: %+v", got)
	}

	var rotated api.EndpointView
	decodeWH(t, do("POST", base+"/secret/rotate", nil, 200), &rotated)
	if rotated.SignatureScheme != webhook.SchemeEd25519 || rotated.Secret != "" || rotated.PublicKey == created.PublicKey ||
		!strings.HasPrefix(rotated.PublicKey, webhook.PublicKeyPrefix) {
		t.Fatalf("rotated: %+v", rotated)
	}
	var sv api.SecretView
	sv = api.SecretView{}
	decodeWH(t, do("GET", base+"/secret", nil, 200), &sv)
	if sv.SignatureScheme != webhook.SchemeEd25519 || sv.Secret != "" || sv.PublicKey != rotated.PublicKey || sv.PreviousSecret != nil ||
		sv.PreviousPublicKey == nil || *sv.PreviousPublicKey != created.PublicKey || sv.PreviousSecretExpiresAt == nil {
		t.Fatalf("secret after an Ed25519 rotation: %+v", sv)
	}

	// To HMAC: the new secret is in the answer, the old key verifies until the grace ends.
	var toHMAC api.EndpointView
	decodeWH(t, do("POST", base+"/secret/rotate", map[string]any{"signature_scheme": "hmac-sha256"}, 200), &toHMAC)
	if toHMAC.SignatureScheme != webhook.SchemeHMAC || !strings.HasPrefix(toHMAC.Secret, webhook.SecretPrefix) || toHMAC.PublicKey != "" {
		t.Fatalf("rotated to HMAC: %+v", toHMAC)
	}
	sv = api.SecretView{}
	decodeWH(t, do("GET", base+"/secret", nil, 200), &sv)
	if sv.Secret != toHMAC.Secret || sv.PublicKey != "" || sv.PreviousPublicKey == nil || *sv.PreviousPublicKey != rotated.PublicKey || sv.PreviousSecret != nil {
		t.Fatalf("secret after rotating to HMAC: %+v", sv)
	}
	// And back, without grace: the HMAC secret stops at once.
	var back api.EndpointView
	decodeWH(t, do("POST", base+"/secret/rotate", map[string]any{"signature_scheme": "ed25519", "grace_period_seconds": 0}, 200), &back)
	sv = api.SecretView{}
	decodeWH(t, do("GET", base+"/secret", nil, 200), &sv)
	if back.Secret != "" || sv.PublicKey != back.PublicKey || sv.Secret != "" || sv.PreviousSecret != nil || sv.PreviousPublicKey != nil {
		t.Fatalf("back to Ed25519 without grace: %+v / %+v", back, sv)
	}

	for _, b := range bodies {
		if bytes.Contains(b, []byte(webhook.SigningKeyPrefix)) {
			t.Fatalf("an answer shows a signing key: %s", b)
		}
	}
}

// A scheme that is not one, or an update that would change it, is a 422
// naming signature_scheme, and changes nothing.
func TestWebhookSignatureSchemeRefused(t *testing.T) {
	s, _, _ := newWebhookServer(t)
	const endpoints = "/v1/webhooks/endpoints"
	for _, scheme := range []any{"rsa", "HMAC-SHA256", "", "v1a"} {
		res := s.do("POST", endpoints, s.owner, map[string]any{"url": "http://127.0.0.1:9/hook", "event_types": []string{"*"},
			"signature_scheme": scheme})
		if res.Status != http.StatusUnprocessableEntity || res.ErrorField(t) != "signature_scheme" {
			t.Fatalf("create with scheme %q: %d %s", scheme, res.Status, res.Body)
		}
	}
	ep := whEndpoint(s, s.owner, "*")
	base := endpoints + "/" + ep["id"].(string)
	before, err := s.db.Webhooks().GetEndpoint(context.Background(), s.ws.WorkspaceID, ep["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path string
		body         map[string]any
	}{
		{"PATCH", base, map[string]any{"description": "x", "signature_scheme": "ed25519"}},
		{"PATCH", base, map[string]any{"signature_scheme": "rsa"}},
		{"POST", base + "/secret/rotate", map[string]any{"signature_scheme": "rsa"}},
	} {
		res := s.do(tc.method, tc.path, s.owner, tc.body)
		if res.Status != http.StatusUnprocessableEntity || res.ErrorField(t) != "signature_scheme" {
			t.Fatalf("%s %v: %d %s", tc.method, tc.body, res.Status, res.Body)
		}
	}
	after, err := s.db.Webhooks().GetEndpoint(context.Background(), s.ws.WorkspaceID, ep["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if after.Secret != before.Secret || after.Description != before.Description || after.PreviousSecret != "" ||
		!after.UpdatedAt.Equal(before.UpdatedAt) || after.Scheme() != webhook.SchemeHMAC {
		t.Fatalf("a refused change changed the endpoint: %+v", after)
	}
}
