package api_test

import (
	"time"

	"github.com/countersign/countersign/events"
)

// call is a valid request of one operation: what the OpenAPI walker sends
// with a proper key, and what the malformed-request table breaks one piece
// at a time.
type call struct {
	// params are path parameters; the world's ids fill the others.
	params map[string]string
	// query is the raw query string.
	query string
	// body is the request body: nil, or a value sent as JSON.
	body any
	// status is the success status expected; the operation's when zero.
	status int
}

// recipe makes a valid call of an operation, creating what it needs first
// (a started process to pause, a fresh key to delete…) in workspace A.
type recipe func(w *world) call

// recipes has a recipe for every operation, by operationId: the suites fail
// for an operation that has none, so a new route must add one.
var recipes = map[string]recipe{}

// register adds recipes; each file adds those of its area in init.
func register(rs map[string]recipe) {
	for id, r := range rs {
		if _, dup := recipes[id]; dup {
			panic("two recipes for " + id)
		}
		recipes[id] = r
	}
}

// plain is the recipe of a call that needs nothing but the world's ids.
func plain(query string, body any) recipe {
	return func(*world) call { return call{query: query, body: body} }
}

// period is a query of created_gt and created_lt around everything.
const period = "created_gt=2000-01-01T00:00:00Z&created_lt=2100-01-01T00:00:00Z"

func init() {
	register(map[string]recipe{
		"getOpenAPI":   plain("", nil),
		"createAPIKey": plain("", map[string]any{"name": "walk", "role": "member"}),
		"listAPIKeys":  plain("", nil),
		"getAPIKey":    plain("", nil),
		"updateAPIKey": plain("", map[string]any{"name": "renamed"}),
		"deleteAPIKey": func(w *world) call {
			return call{params: ids("id", w.post("/v1/api-keys", map[string]any{"name": "gone", "role": "member"}))}
		},
		"listEvents":            plain("limit=5&type=apikey.*", nil),
		"exportEvents":          plain("type=apikey.created", nil),
		"getEvent":              plain("", nil),
		"getConsumptionSummary": plain(period, nil),
		"getEventsReport":       plain(period, nil),
		"listEventTypes":        plain("", nil),

		"createWebhookEndpoint": plain("", map[string]any{"url": "http://127.0.0.1:9/walk", "event_types": []string{"transaction.*"},
			"description": "walk", "headers": map[string]string{"X-Tenant": "acme"}, "rate_limit": 5, "timeout_seconds": 5}),
		"listWebhookEndpoints":  plain("", nil),
		"getWebhookEndpoint":    plain("", nil),
		"updateWebhookEndpoint": plain("", map[string]any{"description": "walked", "enabled": true}),
		"deleteWebhookEndpoint": func(w *world) call {
			return call{params: ids("id", w.post("/v1/webhooks/endpoints", map[string]any{"url": "http://127.0.0.1:9/gone", "event_types": []string{"*"}}))}
		},
		"rotateWebhookSecret": plain("", map[string]any{"grace_period_seconds": 60}),
		"getWebhookSecret":    plain("", nil),
		"testWebhookEndpoint": plain("", nil),
		"listDeliveries":      plain("status=pending&limit=5", nil),
		"getDelivery":         plain("", nil),
		"replayDelivery":      plain("", nil),
		"replayEvent":         func(w *world) call { return call{body: map[string]any{"endpoint_id": w.endpointID}} },
		"createReplay": func(w *world) call {
			return call{body: map[string]any{"endpoint_id": w.endpointID, "status": "pending", "event_type": "apikey.*",
				"created_after": w.since.Format(time.RFC3339), "created_before": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}}
		},
		"getReplay":    plain("", nil),
		"listReplays":  func(w *world) call { return call{query: "endpoint_id=" + w.endpointID + "&status=running&limit=5"} },
		"cancelReplay": func(w *world) call { return call{params: ids("id", w.newReplay())} },
	})
	register(map[string]recipe{
		"listContacts":  plain("owner=alice&group=group-a&scope=GROUP&page=0&size=5&sort=name,asc", nil),
		"createContact": plain("", contactBody()),
		"updateContact": func(w *world) call {
			return call{query: "user=alice&group=group-a", body: contactBody(func(b map[string]any) { b["id"], b["name"] = w.contactID, "Renamed" })}
		},
		"getContact": plain("user=alice&group=group-a", nil),
		"deleteContact": func(w *world) call {
			return call{params: ids("contactId", w.post("/v1/contacts", contactBody())), query: "user=alice&group=group-a"}
		},
		"listTemplates": plain("owner=jdoe&group=group-a", nil),
		"createTemplate": plain("", map[string]any{"name": "Walk", "data": `{"documentName":"x"}`, "owner": "jdoe",
			"scope": "GROUP", "group": "group-a"}),
		"deleteTemplate": func(w *world) call {
			id := w.post("/v1/templates", map[string]any{"name": "Gone", "owner": "jdoe", "scope": "PERSONAL"})
			return call{params: ids("templateId", id), query: "user=jdoe&group=group-a"}
		},
		"getDocumentProfileByName": func(w *world) call { return call{query: "name=" + w.profileName} },
		"listDocumentProfiles":     plain("", nil),
		"createDocumentProfile": func(w *world) call {
			return call{body: map[string]any{"name": w.unique("Walk"), "documentType": "INVOICE", "ownerGroup": "group-a",
				"attributes": []any{map[string]any{"name": "Due", "type": "date", "required": true}}, "profileorder": 2}}
		},
		"getDocumentProfileById": plain("", nil),
		"updateDocumentProfile": func(w *world) call {
			return call{body: map[string]any{"name": w.profileName, "isSealRequired": true, "seal": "SEAL-1",
				"attributes": []any{map[string]any{"id": w.attributeID}}}}
		},
		"deleteDocumentProfile": func(w *world) call {
			return call{params: ids("id", w.post("/v1/document-profiles", map[string]any{"name": w.unique("Gone")}))}
		},
		"listDocumentAttributes":   plain("", nil),
		"createDocumentAttribute":  plain("", map[string]any{"name": "Walk", "type": "string", "required": true}),
		"getDocumentAttributeById": plain("", nil),
		"updateDocumentAttribute":  plain("", map[string]any{"name": "Amount", "type": "decimal"}),
		"deleteDocumentAttribute": func(w *world) call {
			return call{params: ids("id", w.post("/v1/document-attributes", map[string]any{"name": "Gone", "type": "string"}))}
		},
		"sendTestEmail":       func(w *world) call { return call{query: "role=SIGNER", body: w.process} },
		"createAuditingEvent": plain("", map[string]any{"eventType": "PROCESS_GETONE", "note": "walk", "ipAddress": "192.0.2.1"}),
		"listAuditingEvents":  plain("eventType=PROCESS_GETALL&createdAfter=2000-01-01T00:00:00Z&size=5", nil),
	})
}

// ids is a path-parameter map of one name.
func ids(name, id string) map[string]string { return map[string]string{name: id} }

// signerNamed returns the id of p's signer called name.
func signerNamed(p events.Process, name string) string { return signerIDs(p)[name] }
