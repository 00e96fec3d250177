package queue_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/countersign/countersign/internal/nodecrypto"
	"github.com/countersign/countersign/webhook"
	"github.com/countersign/countersign/webhook/verify"
)

// capture is one request as an endpoint received it.
type capture struct {
	header http.Header
	body   []byte
}

// captureReceiver records every request, so a test can verify each one
// with several keys and verifiers after the fact.
type captureReceiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []capture
}

func newCaptureReceiver(t *testing.T) *captureReceiver {
	t.Helper()
	r := &captureReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, capture{header: req.Header.Clone(), body: body})
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

// since returns the requests from the n-th on.
func (r *captureReceiver) since(n int) []capture {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]capture(nil), r.got[n:]...)
}

// offsetClock is the deliverer's clock: now plus an offset the test moves
// forward, past a rotation's grace period, without waiting.
type offsetClock struct{ offset atomic.Int64 }

func (c *offsetClock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// verifies reports whether a request verifies with credential (whsec_ or
// whpk_) through webhook/verify at the deliverer's clock.
func verifies(t *testing.T, c capture, credential string, now func() time.Time) bool {
	t.Helper()
	v, err := verify.New(credential)
	if err != nil {
		t.Fatal(err)
	}
	return v.With(verify.WithNow(now)).Verify(c.header, c.body) == nil
}

// nodeVerifies asks Node's crypto (internal/nodecrypto), an Ed25519
// independent of Go's, whether a request verifies with a whpk_ key. Without
// node it skips, except in CI, where a skip would hide a break.
func nodeVerifies(t *testing.T, c capture, publicKey string) bool {
	t.Helper()
	return nodecrypto.Ed25519(t, map[string]string{"mode": "verify", "publicKey": publicKey, "id": c.header.Get(verify.HeaderID),
		"timestamp": c.header.Get(verify.HeaderTimestamp), "body": string(c.body), "signature": c.header.Get(verify.HeaderSignature)}) == "valid"
}

// signatures lists the version tags of a request's signatures, in order.
func signatures(c capture) []string {
	var out []string
	for _, s := range strings.Fields(c.header.Get(verify.HeaderSignature)) {
		version, _, _ := strings.Cut(s, ",")
		out = append(out, version)
	}
	return out
}

// only returns c with the i-th signature of its header alone.
func only(c capture, i int) capture {
	h := c.header.Clone()
	h.Set(verify.HeaderSignature, strings.Fields(c.header.Get(verify.HeaderSignature))[i])
	return capture{header: h, body: c.body}
}

func ed25519Input(in *webhook.EndpointInput) {
	s := webhook.SchemeEd25519
	in.SignatureScheme = &s
}

// Deliveries of an Ed25519 endpoint (events, a test event, a replay) carry
// one v1a signature that verifies with the public key alone, in Go and in
// Node, and with no other key.
func TestEd25519EndpointDeliveriesVerifyWithThePublicKey(t *testing.T) {
	e := startEngine(t, engineOptions{guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}})
	ctx := context.Background()
	rcv := newCaptureReceiver(t)
	ep := e.endpoint(rcv.URL, []string{"*"}, ed25519Input)
	pub := ep.PublicKey()
	if ep.Scheme() != webhook.SchemeEd25519 || !strings.HasPrefix(pub, webhook.PublicKeyPrefix) {
		t.Fatalf("endpoint scheme %s, public key %q", ep.Scheme(), pub)
	}
	_, strangerPub := webhook.GenerateKeyPair()

	e.makeKeyEvents()
	if _, _, err := e.db.Webhooks().SendTestEvent(ctx, e.ws, ep.ID); err != nil {
		t.Fatal(err)
	}
	first := e.waitSettled(4)
	if _, err := e.db.Webhooks().ReplayDelivery(ctx, e.ws, first[0].ID); err != nil {
		t.Fatal(err)
	}
	for _, d := range e.waitSettled(5) {
		if d.Status != webhook.StatusDelivered {
			t.Fatalf("delivery %s (%s) is %s: %s", d.ID, d.EventType, d.Status, d.LastError)
		}
	}
	got := rcv.since(0)
	if len(got) != 5 {
		t.Fatalf("receiver got %d requests, want 5", len(got))
	}
	for _, c := range got {
		if v := signatures(c); len(v) != 1 || v[0] != webhook.AsymmetricVersion {
			t.Fatalf("signature header %q: want one v1a signature", c.header.Get(verify.HeaderSignature))
		}
		if !verifies(t, c, pub, time.Now) {
			t.Fatalf("request %s does not verify with the public key", c.header.Get(verify.HeaderID))
		}
		if verifies(t, c, strangerPub, time.Now) {
			t.Fatal("a request verifies with another public key")
		}
		if !nodeVerifies(t, c, pub) {
			t.Fatalf("Node does not verify request %s with the public key", c.header.Get(verify.HeaderID))
		}
	}
}

// After a rotation the previous key keeps signing beside the new one until
// the grace period ends, each signature verifying with its own public key;
// then only the new key signs. A rotation from HMAC to Ed25519 signs with
// both schemes meanwhile, so receivers on the old secret keep working.
func TestRotationSignsWithBothKeysUntilTheGraceEnds(t *testing.T) {
	clock := &offsetClock{}
	e := startEngine(t, engineOptions{guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}, now: clock.now})
	ctx := context.Background()
	keyed, switched := newCaptureReceiver(t), newCaptureReceiver(t)
	ep := e.endpoint(keyed.URL, []string{"apikey.*"}, ed25519Input)
	hm := e.endpoint(switched.URL, []string{"apikey.*"})
	oldPub, oldSecret := ep.PublicKey(), hm.Secret
	ep, err := e.db.Webhooks().RotateEndpointSecret(ctx, e.ws, ep.ID, time.Hour, "")
	if err != nil {
		t.Fatal(err)
	}
	hm, err = e.db.Webhooks().RotateEndpointSecret(ctx, e.ws, hm.ID, time.Hour, webhook.SchemeEd25519)
	if err != nil {
		t.Fatal(err)
	}
	newPub, hmPub := ep.PublicKey(), hm.PublicKey()
	if newPub == oldPub || hmPub == "" {
		t.Fatalf("rotation kept the key or made none: %q %q", newPub, hmPub)
	}

	e.makeKeyEvents() // three events during the grace period
	e.waitSettled(6)
	for _, c := range keyed.since(0) {
		if v := signatures(c); len(v) != 2 || v[0] != "v1a" || v[1] != "v1a" {
			t.Fatalf("during the grace: signatures %v, want the new and the previous v1a", v)
		}
		for _, k := range []string{newPub, oldPub} {
			if !verifies(t, c, k, clock.now) || !nodeVerifies(t, c, k) {
				t.Fatalf("during the grace a request does not verify with %s", k)
			}
		}
		if !verifies(t, only(c, 0), newPub, clock.now) || verifies(t, only(c, 0), oldPub, clock.now) ||
			!verifies(t, only(c, 1), oldPub, clock.now) || verifies(t, only(c, 1), newPub, clock.now) {
			t.Fatal("each signature must verify with its own public key only")
		}
	}
	for _, c := range switched.since(0) {
		if v := signatures(c); len(v) != 2 || v[0] != "v1a" || v[1] != "v1" {
			t.Fatalf("HMAC to Ed25519 during the grace: signatures %v, want v1a then v1", v)
		}
		wh, err := standardwebhooks.NewWebhook(oldSecret)
		if err != nil {
			t.Fatal(err)
		}
		if err := wh.Verify(c.body, c.header); err != nil {
			t.Fatalf("the Standard Webhooks library with the old secret: %v", err)
		}
		if !verifies(t, c, hmPub, clock.now) || !nodeVerifies(t, c, hmPub) {
			t.Fatal("a request does not verify with the new public key")
		}
	}

	clock.offset.Store(int64(2 * time.Hour)) // the grace period is over
	e.makeKeyEvents()
	e.waitSettled(12)
	for _, rc := range []struct {
		r        *captureReceiver
		pub, old string
	}{{keyed, newPub, oldPub}, {switched, hmPub, oldSecret}} {
		after := rc.r.since(3)
		if len(after) != 3 {
			t.Fatalf("after the grace: %d requests, want 3", len(after))
		}
		for _, c := range after {
			if v := signatures(c); len(v) != 1 || v[0] != "v1a" {
				t.Fatalf("after the grace: signatures %v, want the new key's only", v)
			}
			if !verifies(t, c, rc.pub, clock.now) || !nodeVerifies(t, c, rc.pub) || verifies(t, c, rc.old, clock.now) {
				t.Fatal("after the grace a request must verify with the new key only")
			}
		}
	}
}
