package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/events"
)

// world is workspace A of a harness with one resource of every kind, so every
// operation has ids to name: the fixture of the bad-input suites.
type world struct {
	h     *harness
	tb    testing.TB
	since time.Time // before any of it was created
	n     int       // for unique names

	keyID, endpointID, eventID, deliveryID, replayID string
	contactID, templateID, attributeID, profileID    string
	profileName, registrationID                      string
	// process is a PENDING two-step process (processBody).
	process events.Process
}

// newWorld creates the resources in workspace A of h. The endpoint comes
// first and subscribes to everything, so the key's apikey.created event has
// a delivery.
func newWorld(tb testing.TB, h *harness) *world {
	tb.Helper()
	w := &world{h: h, tb: tb, since: time.Now().Add(-time.Minute).UTC()}
	w.endpointID = w.post("/v1/webhooks/endpoints", map[string]any{"url": "http://127.0.0.1:9/hook", "event_types": []string{"*"}})
	w.keyID = w.post("/v1/api-keys", map[string]any{"name": "fixture", "role": "member"})
	w.eventID = w.first("/v1/events?limit=1")
	w.deliveryID = w.first("/v1/webhooks/deliveries?limit=1")
	w.replayID = w.newReplay()
	w.contactID = w.post("/v1/contacts", contactBody())
	w.templateID = w.post("/v1/templates", map[string]any{"name": "Lease", "data": "{}", "owner": "jdoe", "scope": "PERSONAL"})
	w.attributeID = w.post("/v1/document-attributes", map[string]any{"name": "Amount", "type": "number"})
	w.profileName = "Invoice"
	w.profileID = w.post("/v1/document-profiles", map[string]any{"name": w.profileName,
		"attributes": []any{map[string]any{"id": w.attributeID}}})
	w.process = w.newProcess()
	w.registrationID = w.newRegistration()
	return w
}

// post creates a resource as A's owner and returns its id.
func (w *world) post(path string, body any) string {
	w.tb.Helper()
	res := w.h.do("POST", path, w.h.owner, body)
	var m struct {
		ID string `json:"id"`
	}
	if res.Status/100 != 2 || json.Unmarshal(res.Body, &m) != nil || m.ID == "" {
		w.tb.Fatalf("POST %s: %d %s, want a resource", path, res.Status, res.Body)
	}
	return m.ID
}

// first returns the id of the first item of a list.
func (w *world) first(target string) string {
	w.tb.Helper()
	m := w.h.expectJSON(200, "GET", target, w.h.owner, nil)
	data, _ := m["data"].([]any)
	if len(data) == 0 {
		w.tb.Fatalf("GET %s: empty list", target)
	}
	return data[0].(map[string]any)["id"].(string)
}

// unique returns name with a number no other call of unique gave.
func (w *world) unique(name string) string {
	w.n++
	return fmt.Sprintf("%s-%d", name, w.n)
}

// newReplay creates a running bulk replay of the endpoint's pending deliveries.
func (w *world) newReplay() string {
	return w.post("/v1/webhooks/replays", map[string]any{"endpoint_id": w.endpointID, "status": "pending",
		"created_after": w.since.Format(time.RFC3339), "created_before": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		"rate_per_second": 1})
}

// newProcess creates a PENDING process from processBody(mods...).
func (w *world) newProcess(mods ...func(map[string]any)) events.Process {
	w.tb.Helper()
	return w.decodeProcess(w.h.do("POST", "/v1/processes", w.h.owner, processBody(mods...)), 201)
}

// startedProcess creates a process and starts it.
func (w *world) startedProcess(mods ...func(map[string]any)) events.Process {
	w.tb.Helper()
	p := w.newProcess(mods...)
	return w.decodeProcess(w.h.do("POST", "/v1/processes/"+p.ID+"/start", w.h.owner, nil), 200)
}

// decodeProcess decodes a process answer of status want.
func (w *world) decodeProcess(res response, want int) events.Process {
	w.tb.Helper()
	var p events.Process
	if res.Status != want || json.Unmarshal(res.Body, &p) != nil || p.ID == "" {
		w.tb.Fatalf("process answer %d %s, want %d", res.Status, res.Body, want)
	}
	return p
}

// newRegistration creates a PENDING registration and runs the given
// transitions on it (verify-identity, complete…, with their bodies).
func (w *world) newRegistration(steps ...string) string {
	w.tb.Helper()
	id := w.post("/v1/registrations", map[string]any{"full_name": "Jane Roe", "email": "jane@example.com", "method": "pvid"})
	bodies := map[string]any{"verify-identity": map[string]any{"success": true}, "complete": map[string]any{"certificate_name": "cert"}}
	for _, st := range steps {
		w.h.expectJSON(200, "POST", "/v1/registrations/"+id+"/"+st, w.h.owner, bodies[st])
	}
	return id
}

// param returns an existing id of workspace A for path parameter name of op.
// Parameters called id are named by the path they are on.
func (w *world) param(op api.Operation, name string) (string, bool) {
	switch name {
	case "processId":
		return w.process.ID, true
	case "signerId", "stepsignerId", "processSignerId":
		return w.process.Signers[0].ID, true
	case "processStepId":
		return w.process.SigningProcessSteps[0].ID, true
	case "contactId":
		return w.contactID, true
	case "templateId":
		return w.templateID, true
	case "registrationId":
		return w.registrationID, true
	case "documentId":
		return w.process.DocumentID, true
	case "eventType":
		return "TASK_STARTED", true
	case "id":
		if strings.HasPrefix(op.Path, "/v1/messages/") {
			return w.sentMessage(), true
		}
		for prefix, id := range map[string]string{
			"/v1/api-keys/": w.keyID, "/v1/events/": w.eventID, "/v1/webhooks/endpoints/": w.endpointID,
			"/v1/webhooks/deliveries/": w.deliveryID, "/v1/webhooks/replays/": w.replayID,
			"/v1/document-profiles/": w.profileID, "/v1/document-attributes/": w.attributeID,
		} {
			if strings.HasPrefix(op.Path, prefix) {
				return id, true
			}
		}
	}
	return "", false
}

// fill returns op's path with params, or the world's ids where params has
// none. Values are not escaped: the harness sends the path as a URL path.
func (w *world) fill(op api.Operation, params map[string]string) string {
	w.tb.Helper()
	path, err := w.path(op, params)
	if err != nil {
		w.tb.Fatal(err)
	}
	return path
}

// path is fill returning the error (for fuzz functions, which may not call
// the testing.F the world was built with).
func (w *world) path(op api.Operation, params map[string]string) (string, error) {
	segs := strings.Split(op.Path, "/")
	for i, seg := range segs {
		name, ok := strings.CutPrefix(seg, ":")
		if !ok {
			continue
		}
		v, ok := params[name]
		if !ok {
			if v, ok = w.param(op, name); !ok {
				return "", fmt.Errorf("%s: no id for path parameter %s: add it to world.param", op.ID, name)
			}
		}
		segs[i] = v
	}
	return strings.Join(segs, "/"), nil
}
