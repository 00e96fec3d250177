package api_test

import (
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/countersign/countersign/api"
)

// TestConsoleShowsPublicKeys: an ed25519 endpoint shows its public key where
// an HMAC endpoint shows its secret (creation, rotation, the endpoint's page),
// never a signing key, and a rotation can change the scheme either way.
func TestConsoleShowsPublicKeys(t *testing.T) {
	cs := newConsoleServer(t, api.Deps{})
	b := cs.browser()
	b.mustSignIn(cs.owner)
	current := func() (id, publicKey string) {
		t.Helper()
		eps := cs.do("GET", "/v1/webhooks/endpoints", cs.owner, nil).JSON(t)["data"].([]any)
		if len(eps) != 1 {
			t.Fatalf("%d endpoints", len(eps))
		}
		e := eps[0].(map[string]any)
		pk, _ := e["public_key"].(string)
		return e["id"].(string), pk
	}
	showsKey := func(step string, p page, publicKey string) {
		t.Helper()
		// html/template writes the key's + as &#43;.
		if publicKey == "" || !strings.Contains(html.UnescapeString(p.Body), `id="public-key">`+publicKey+`<`) {
			t.Fatalf("%s: the page does not show the public key %q: %.800s", step, publicKey, p.Body)
		}
		if strings.Contains(p.Body, "whsec_") || strings.Contains(p.Body, "whsk_") {
			t.Fatalf("%s: the page shows a secret: %.800s", step, p.Body)
		}
	}

	b.get("/console/endpoints/new")
	p := b.post("/console/endpoints", url.Values{"url": {"http://127.0.0.1:9/hook"}, "event_types": {"action.closed"},
		"signature_scheme": {"ed25519"}, "enabled": {"on"}})
	if p.Status != 201 {
		t.Fatalf("create: %d %.500s", p.Status, p.Body)
	}
	id, pk := current()
	showsKey("created", p, pk)
	showsKey("endpoint page", b.get("/console/endpoints/"+id), pk)

	p = b.post("/console/endpoints/"+id+"/rotate", url.Values{})
	id, pk2 := current()
	showsKey("rotated, scheme kept", p, pk2)
	if pk2 == pk {
		t.Fatal("the rotation kept the public key")
	}

	b.get("/console/endpoints/" + id)
	p = b.post("/console/endpoints/"+id+"/rotate", url.Values{"signature_scheme": {"hmac-sha256"}})
	if p.Status != 200 || !strings.Contains(p.Body, `id="secret">whsec_`) || strings.Contains(p.Body, `id="public-key"`) {
		t.Fatalf("rotated to hmac-sha256: %d %.800s", p.Status, p.Body)
	}
	if _, pk := current(); pk != "" {
		t.Fatalf("an hmac-sha256 endpoint answers the public key %q", pk)
	}
	if p := b.get("/console/endpoints/" + id); strings.Contains(p.Body, `id="public-key"`) || !strings.Contains(p.Body, "hmac-sha256</code>") {
		t.Fatalf("the HMAC endpoint's page: %.800s", p.Body)
	}

	p = b.post("/console/endpoints/"+id+"/rotate", url.Values{"signature_scheme": {"ed25519"}})
	_, pk3 := current()
	showsKey("rotated to ed25519", p, pk3)
}
