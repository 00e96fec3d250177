package storage_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// An endpoint's scheme is the kind of credential it stores: created as
// asked, kept by an update that repeats it, changed only by a rotation that
// keeps the previous credential, of either kind, for the grace period.
func TestEndpointSignatureScheme(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		actor, _ := storagetest.Workspace(t, db, "A")
		url, ed, hmac := "https://example.com/hook", webhook.SchemeEd25519, webhook.SchemeHMAC
		e, err := db.Webhooks().CreateEndpoint(ctx, actor, webhook.EndpointInput{URL: &url, EventTypes: []string{"*"}, SignatureScheme: &ed})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Webhooks().GetEndpoint(ctx, actor.WorkspaceID, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(got.Secret, webhook.SigningKeyPrefix) || got.Secret != e.Secret || got.Scheme() != ed {
			t.Fatalf("stored an Ed25519 endpoint with scheme %s", got.Scheme())
		}
		if _, err := db.Webhooks().UpdateEndpoint(ctx, actor, e.ID, webhook.EndpointInput{SignatureScheme: &ed}); err != nil {
			t.Fatalf("an update repeating the scheme: %v", err)
		}
		if _, err := db.Webhooks().UpdateEndpoint(ctx, actor, e.ID, webhook.EndpointInput{SignatureScheme: &hmac}); schemeField(err) != "signature_scheme" {
			t.Fatalf("an update changing the scheme: %v", err)
		}
		rotated, err := db.Webhooks().RotateEndpointSecret(ctx, actor, e.ID, time.Hour, hmac)
		if err != nil {
			t.Fatal(err)
		}
		got, err = db.Webhooks().GetEndpoint(ctx, actor.WorkspaceID, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Scheme() != hmac || got.Secret != rotated.Secret || got.PreviousSecret != e.Secret ||
			got.PreviousSecretExpiresAt == nil || len(got.Secrets(db.Now())) != 2 {
			t.Fatalf("after rotating to HMAC: scheme %s, previous kept %v", got.Scheme(), got.PreviousSecret == e.Secret)
		}
		if _, err := webhook.NewHeaderSigner(got.Secrets(db.Now())...); err != nil {
			t.Fatalf("the stored credentials do not make a signer: %v", err)
		}
	})
}

// schemeField is the field an *countersign.Error names; "" for any other error.
func schemeField(err error) string {
	var e *countersign.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
