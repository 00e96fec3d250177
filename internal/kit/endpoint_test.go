package kit

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/countersign/countersign/webhook"
	"github.com/countersign/countersign/webhook/verify"
)

// signed returns the headers a delivery of body under id carries.
func signed(t *testing.T, secret, id string, body []byte) http.Header {
	t.Helper()
	s, err := webhook.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	h := http.Header{}
	h.Set(verify.HeaderID, id)
	h.Set(verify.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	h.Set(verify.HeaderSignature, s.Header(id, now, body))
	return h
}

func TestEndpointVerify(t *testing.T) {
	const id = "evt_01JH0000000000000000000000"
	secret, other := webhook.GenerateSecret(), webhook.GenerateSecret()
	event := []byte(`{"id":"` + id + `","type":"action.closed","created_at":"2026-01-01T00:00:00Z"}`)
	notTheEvent := []byte(`{"id":"evt_01JH0000000000000000000001"}`)
	var e Endpoint
	if _, err := e.Verify(signed(t, secret, id, event), event); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("before SetSecret: %v, want ErrNoSecret", err)
	}
	if err := e.SetSecret(secret); err != nil {
		t.Fatal(err)
	}
	env, err := e.Verify(signed(t, secret, id, event), event)
	if err != nil || env.ID != id || env.Type != "action.closed" || !env.CreatedAt.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("a good delivery: %+v, %v", env, err)
	}
	if _, err := e.Verify(signed(t, other, id, event), event); err == nil {
		t.Error("a delivery signed with another secret verified")
	}
	if _, err := e.Verify(signed(t, secret, id, notTheEvent), notTheEvent); !errors.Is(err, ErrNotTheEvent) {
		t.Errorf("a body whose id is not the webhook-id: %v, want ErrNotTheEvent", err)
	}
	// The signed-POST ceiling sends no event: the signature alone is checked.
	raw := []byte("not an event")
	if err := e.VerifySignature(signed(t, secret, "msg_1", raw), raw); err != nil {
		t.Errorf("VerifySignature of a signed body: %v", err)
	}
	if err := e.VerifySignature(signed(t, other, "msg_1", raw), raw); err == nil {
		t.Error("VerifySignature accepted another secret's signature")
	}
}
