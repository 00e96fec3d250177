package api

import (
	"reflect"
	"sort"
	"strings"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/notify"
	"github.com/countersign/countersign/webhook"
	"github.com/countersign/countersign/workflow"
)

// The rules the handlers and the workflow enforce that JSON Schema can state,
// kept in one table beside the reflected schemas so the OpenAPI document says
// what the server checks. Each schema that constrains a string's form also
// carries examples, so a client generator can make a request that passes.

// idSchema is the schema of an id with prefix (ep_…, evt_…): the prefix and
// a lower-case ULID.
func idSchema(prefix string) map[string]any {
	return map[string]any{"type": "string", "pattern": "^" + prefix + "_[0-7][0-9a-hjkmnp-tv-z]{25}$",
		"minLength": len(prefix) + 27, "maxLength": len(prefix) + 27,
		"examples": []string{prefix + "_01jq8m4w5x6y7z8a9b0c1d2e3f"}}
}

// The credentials the API shows: an HMAC secret, and an Ed25519 public key
// (standard base64 of 32 bytes; the signing key is never shown).
var (
	secretSchema = map[string]any{"pattern": "^" + webhook.SecretPrefix + "[A-Za-z0-9+/]+=*$",
		"examples": []string{webhook.SecretPrefix + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}
	publicKeySchema = map[string]any{"pattern": "^" + webhook.PublicKeyPrefix + "[A-Za-z0-9+/]{43}=$",
		"examples": []string{webhook.PublicKeyPrefix + "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}}
)

// anyIDSchema is the schema of an id with one of prefixes.
func anyIDSchema(prefixes ...string) map[string]any {
	s := idSchema(prefixes[0])
	s["pattern"] = "^(" + strings.Join(prefixes, "|") + ")_[0-7][0-9a-hjkmnp-tv-z]{25}$"
	delete(s, "minLength")
	delete(s, "maxLength")
	return s
}

// uuidSchema is the schema of a signing-process resource id.
func uuidSchema() map[string]any {
	return map[string]any{"type": "string", "format": "uuid",
		"pattern":  "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
		"examples": []string{"0b7e7dd6-7b3f-4c59-9f55-2d0e7c4b2a1f"}}
}

// Schemas of values the API checks in several places.
var (
	countrySchema = map[string]any{"type": "string", "description": "ISO 3166-1 alpha-2, any case.",
		"pattern": "^[A-Za-z]{2}$", "examples": []string{"LV"}}
	// personalCodeSchema fits any country; LV, LT and EE codes are checked
	// further against the country (date of birth and check digit).
	personalCodeSchema = map[string]any{"type": "string", "pattern": "^[A-Za-z0-9 -]{1,32}$",
		"description": "Checked against the country: LV DDMMYY-CNNNK or 32NNNN-NNNNN, LT and EE GYYMMDDNNNC with their check digits.",
		"examples":    []string{"010190-12349"}}
	emailSchema = map[string]any{"type": "string", "format": "email", "maxLength": 254, "examples": []string{"jane@example.com"}}
	phoneSchema = map[string]any{"type": "string", "pattern": `^\+?[0-9][0-9 ]{5,19}$`, "examples": []string{"+371 2000 0000"}}
	dateTime    = func(example string) map[string]any {
		return map[string]any{"type": "string", "format": "date-time", "examples": []string{example}}
	}
	eventPattern = map[string]any{"type": "string", "enum": eventPatterns(),
		"description": "An event type of the catalogue (GET /v1/event-types), a prefix of whole dotted segments ending in .*, or *.",
		"examples":    []string{"transaction.*"}}
	ownerText      = map[string]any{"maxLength": shortTextLength}
	languageSchema = map[string]any{"type": "string", "maxLength": 35, "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
		"examples": []string{"en"}}
	shortText = map[string]any{"type": "string", "maxLength": 255}
	longText  = map[string]any{"type": "string", "maxLength": 4000}
	// future is a time the server refuses unless it is later than now.
	future = map[string]any{"type": "string", "format": "date-time", "description": "Must be in the future.",
		"examples": []string{"2099-01-01T00:00:00Z"}}
)

// eventPatterns lists what a subscription or an event type filter may
// name: *, every catalogue type, and every dotted prefix of one with .*.
func eventPatterns() []string {
	seen := map[string]bool{}
	out := []string{"*"}
	for _, t := range events.Types {
		parts := strings.Split(string(t), ".")
		for i := 1; i < len(parts); i++ {
			if p := strings.Join(parts[:i], ".") + ".*"; !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	for _, t := range events.Types {
		out = append(out, string(t))
	}
	return out
}

// texts returns rules bounding each of fields to max characters.
func texts(max int, fields ...string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, f := range fields {
		out[f] = map[string]any{"maxLength": max}
	}
	return out
}

// with returns m with the entries of more added.
func with[V any](m map[string]V, more map[string]V) map[string]V {
	for k, v := range more {
		m[k] = v
	}
	return m
}

// The workflow's text bounds, in characters.
const (
	shortTextLength = 255
	longTextLength  = 4000
)

// fieldRules narrow request body fields, by the Go type that holds them and
// their JSON name.
var fieldRules = map[reflect.Type]map[string]map[string]any{
	reflect.TypeFor[webhook.EndpointInput](): {
		"url": {"format": "uri", "maxLength": 2048, "examples": []string{"https://example.com/hooks/countersign"},
			"description": "https, resolving to a public address (unless private targets are allowed)."},
		"event_types":     {"minItems": 1, "items": eventPattern},
		"description":     {"maxLength": webhook.MaxDescriptionLength},
		"rate_limit":      {"minimum": 0, "maximum": webhook.MaxRateLimit},
		"timeout_seconds": {"minimum": 1, "maximum": webhook.MaxTimeoutSeconds},
		"signature_scheme": {"default": string(webhook.SchemeHMAC), "examples": []string{string(webhook.SchemeEd25519)},
			"description": "hmac-sha256 (default): a shared whsec_ secret signs \"v1,\". ed25519: a signing key that stays in Countersign signs \"v1a,\" and receivers verify with the whpk_ public key. Set on create; an update may repeat it, rotateWebhookSecret changes it."},
		"ordering": {"default": string(webhook.OrderingNone), "examples": []string{string(webhook.OrderingProcess)},
			"description": "none (default): deliveries go out as soon as they are due, many at once. process: the events of one signing process (transaction.*, action.*, identity-validation.*) are sent one at a time in commit order; a delivery being retried holds back only the later events of its process, and one that fails for good lets them go. Replays are not ordered. A change applies to deliveries made after it."},
	},
	reflect.TypeFor[CreateReplayRequest](): {
		"endpoint_id":     idSchema(countersign.PrefixEndpoint),
		"created_after":   dateTime("2026-01-01T00:00:00Z"),
		"created_before":  dateTime("2026-12-31T00:00:00Z"),
		"event_type":      eventPattern,
		"rate_per_second": {"minimum": 1, "maximum": webhook.MaxReplayRate},
	},
	reflect.TypeFor[ReplayEventRequest]():  {"endpoint_id": idSchema(countersign.PrefixEndpoint)},
	reflect.TypeFor[CreateAPIKeyRequest](): {"name": {"minLength": 1, "maxLength": countersign.MaxNameLength}},
	reflect.TypeFor[UpdateAPIKeyRequest](): {"name": {"minLength": 1, "maxLength": countersign.MaxNameLength}},
	reflect.TypeFor[RotateSecretRequest](): {"grace_period_seconds": {"minimum": 0, "maximum": MaxRotationGraceSeconds},
		"signature_scheme": {"examples": []string{string(webhook.SchemeEd25519)},
			"description": "The scheme of the new credential; the endpoint's own when left out."}},
	reflect.TypeFor[workflow.Template]():        texts(shortTextLength, "name", "owner", "group"),
	reflect.TypeFor[workflow.DocumentProfile](): texts(shortTextLength, "name", "documentType", "ownerGroup", "seal"),
	reflect.TypeFor[workflow.AuditRecord](): with(texts(shortTextLength, "eventOrigin", "creator", "documentId", "signerId",
		"customerPersonalCode", "processId", "containerId", "method", "clientAppName"), map[string]map[string]any{
		"note":      {"maxLength": longTextLength},
		"ipAddress": {"anyOf": []any{map[string]any{"format": "ipv4"}, map[string]any{"format": "ipv6"}}, "examples": []string{"192.0.2.1"}},
	}),
	reflect.TypeFor[DeclineRequest]():              texts(longTextLength, "comment"),
	reflect.TypeFor[MessageRequest]():              texts(longTextLength, "message"),
	reflect.TypeFor[ReasonRequest]():               texts(longTextLength, "reason"),
	reflect.TypeFor[CompleteRegistrationRequest](): texts(shortTextLength, "certificate_name"),
	reflect.TypeFor[workflow.Contact](): {
		"name": {"maxLength": shortTextLength}, "owner": {"maxLength": shortTextLength}, "group": {"maxLength": shortTextLength},
		"country": countrySchema, "personalCode": personalCodeSchema, "email": emailSchema,
		"phone": phoneSchema, "language": languageSchema,
	},
	// A profile's attribute with an id links that stored attribute.
	reflect.TypeFor[workflow.DocumentAttribute](): {"id": with(uuidSchema(), map[string]any{"description": "In a profile, names a stored attribute to link (422 when there is none); ignored on create."}),
		"name": {"maxLength": shortTextLength},
		"type": {"maxLength": shortTextLength}},
	reflect.TypeFor[workflow.ProcessInput](): with(texts(shortTextLength, "documentId", "documentName", "initiator",
		"initiatorName", "documentType", "ownerGroup"), map[string]map[string]any{
		"signingProcessSteps":   {"minItems": 1},
		"processInitiatorEmail": emailSchema,
		"expiresAt":             future,
		"comment":               {"maxLength": longTextLength},
		"reminderEveryDays": {"minimum": 0, "maximum": workflow.MaxReminderDays,
			"description": "An automatic reminder this many days after a participant's action opened, and after each reminder; 0 for none."},
		"reminderDaysBeforeDue": {"minimum": 0, "maximum": workflow.MaxReminderDays,
			"description": "One automatic reminder this many days before the action's deadline (step dueDate or expiresAt); 0 for none."},
		"disableMessages": {"description": "Turns every notification email of the process off."},
	}),
	reflect.TypeFor[workflow.StepInput](): {
		"id": {"description": "Leave out to add a step; on update, names a step of the process to keep (422 when there is none)."},
		"processStepSigners": {"minItems": 1, "contains": map[string]any{"required": []string{"signerRole"},
			"properties": map[string]any{"signerRole": map[string]any{"enum": []string{"SIGNER", "APPROVER"}}}}},
		"dueDate":             map[string]any{"format": "date-time", "description": "Must be in the future, after waitingPeriodEndsAt.", "examples": []string{"2099-01-02T00:00:00Z"}},
		"waitingPeriodEndsAt": future,
	},
	reflect.TypeFor[workflow.SignerInput](): {
		"signerEmail": emailSchema, "signerCountry": countrySchema, "signerPersonalCode": personalCodeSchema,
		"signerName": shortText, "signerComment": longText, "commentForSigner": longText,
		"id":             {"description": "Leave out to add a signer; on update, names a signer of the step to keep (422 when there is none)."},
		"signerLanguage": languageSchema,
		"signerRole":     {"enum": []string{"SIGNER", "APPROVER", "VIEWER"}},
	},
	reflect.TypeFor[FindProcessesRequest](): {"documentId": {"minLength": 1, "maxLength": shortTextLength}, "personalCode": personalCodeSchema},
	reflect.TypeFor[AccessRequest](): {
		"signerId": uuidSchema(), "personCode": personalCodeSchema, "country": countrySchema,
	},
	reflect.TypeFor[workflow.RegistrationInput](): {
		"full_name": {"minLength": 1, "maxLength": 255, "pattern": `\S`, "examples": []string{"Jane Roe"}},
		"email":     emailSchema, "phone": phoneSchema,
	},
}

// viewRules narrow the fields of answers: the ids the server makes.
var viewRules = map[reflect.Type]map[string]map[string]any{
	reflect.TypeFor[APIKeyView](): {"id": idSchema(countersign.PrefixAPIKey)},
	reflect.TypeFor[EventView](): {"id": idSchema(countersign.PrefixEvent), "workspace_id": idSchema(countersign.PrefixWorkspace),
		"api_key_id": idSchema(countersign.PrefixAPIKey)},
	reflect.TypeFor[EndpointView](): {"id": idSchema(countersign.PrefixEndpoint), "secret": secretSchema, "public_key": publicKeySchema},
	reflect.TypeFor[SecretView](): {"secret": secretSchema, "public_key": publicKeySchema,
		"previous_secret": secretSchema, "previous_public_key": publicKeySchema},
	reflect.TypeFor[AttemptSummary](): {"id": idSchema(countersign.PrefixAttempt), "delivery_id": idSchema(countersign.PrefixDelivery)},
	reflect.TypeFor[AttemptView]():    {"id": idSchema(countersign.PrefixAttempt)},
	reflect.TypeFor[DeliveryView](): {"id": idSchema(countersign.PrefixDelivery), "event_id": idSchema(countersign.PrefixEvent),
		"endpoint_id": idSchema(countersign.PrefixEndpoint),
		"replay_id":   anyIDSchema(countersign.PrefixDelivery, countersign.PrefixEvent, countersign.PrefixReplay)},
	reflect.TypeFor[ReplayView](): {"id": idSchema(countersign.PrefixReplay), "endpoint_id": idSchema(countersign.PrefixEndpoint),
		"api_key_id": idSchema(countersign.PrefixAPIKey)},
	reflect.TypeFor[DeliveryList](): {"next_cursor": idSchema(countersign.PrefixDelivery)},
	reflect.TypeFor[ReplayList]():   {"next_cursor": idSchema(countersign.PrefixReplay)},
	reflect.TypeFor[EventList]():    {"next_cursor": idSchema(countersign.PrefixEvent)},
	reflect.TypeFor[MessageView]():  {"id": idSchema(notify.PrefixMessage), "process_id": uuidSchema()},
	reflect.TypeFor[MessageList]():  {"next_cursor": idSchema(notify.PrefixMessage)},
}

// The details embed the views: their fields are narrowed alike.
func init() {
	viewRules[reflect.TypeFor[EventDetail]()] = viewRules[reflect.TypeFor[EventView]()]
	viewRules[reflect.TypeFor[DeliveryDetail]()] = viewRules[reflect.TypeFor[DeliveryView]()]
	viewRules[reflect.TypeFor[MessageDetail]()] = viewRules[reflect.TypeFor[MessageView]()]
}

// typeRules are keywords added to the object schema of a Go type in request
// bodies: the fields the workflow requires although the type leaves them optional.
var typeRules = map[reflect.Type]map[string]any{
	reflect.TypeFor[workflow.StepInput]():   {"required": []string{"processStepSigners"}},
	reflect.TypeFor[workflow.SignerInput](): {"required": []string{"signerRole"}},
}

// opFieldRules narrow top-level body fields of one operation, where the same
// type means more in it: the id a create ignores names what an update changes.
var opFieldRules = map[string]map[string]map[string]any{
	"updateContact": {"id": uuidSchema()},
}

// bodyRules are keywords added to an operation's whole request body schema:
// rules across its fields that JSON Schema can state.
var bodyRules = map[string]map[string]any{
	"findProcesses": {"anyOf": []any{map[string]any{"required": []string{"documentId"}}, map[string]any{"required": []string{"personalCode"}}}},
}

// sortFields are the sortable fields of the paged operations; an operation
// of pageableParams missing here sorts by nothing, so sort is left out.
var sortFields = map[string]map[string]string{
	"listAuditingEvents": auditSortFields, "listContacts": contactSortFields, "listTemplates": templateSortFields,
	"listProcesses": processSortable, "findProcesses": processSortable, "listProcessesByStepSignerId": processSortable,
	"listProcessesByDocumentId": processSortable, "listSignerTasks": processSortable, "listSignerSteps": processSortable,
	"listSignerDocuments": processSortable,
}

// sortSchema is the schema of the sort parameter of op, nil when op sorts by nothing.
func sortSchema(op Operation) map[string]any {
	fields := sortFields[op.ID]
	if len(fields) == 0 {
		return nil
	}
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	return map[string]any{"type": "string", "pattern": "^(" + strings.Join(names, "|") + ")(,(asc|desc|ASC|DESC))?$",
		"examples": []string{names[0] + ",desc"}}
}

// queryRules narrow query parameters: by "operationId.name" first, then by name.
var queryRules = map[string]map[string]any{
	"page":                          {"minimum": 0, "maximum": (1<<31 - 1) / maxPageSize},
	"size":                          {"minimum": 1, "maximum": maxPageSize},
	"limit":                         {"minimum": 1, "maximum": 1000},
	"endpoint_id":                   idSchema(countersign.PrefixEndpoint),
	"event_id":                      idSchema(countersign.PrefixEvent),
	"api_key_id":                    idSchema(countersign.PrefixAPIKey),
	"ending_before":                 idSchema(countersign.PrefixEvent),
	"listEvents.starting_after":     idSchema(countersign.PrefixEvent),
	"listDeliveries.starting_after": idSchema(countersign.PrefixDelivery),
	"listReplays.starting_after":    idSchema(countersign.PrefixReplay),
	"listMessages.starting_after":   idSchema(notify.PrefixMessage),
	"listMessages.process_id":       uuidSchema(),
	"listMessages.recipient":        emailSchema,
	"listMessages.type":             {"type": "string", "enum": noticeTypeNames(), "examples": []string{"invitation"}},
	"resource_id":                   {"maxLength": maxResourceIDLength},
	"event_type":                    eventPattern,
	"type":                          eventPattern,
	"country":                       countrySchema,
	"user":                          ownerText,
	"owner":                         ownerText,
	"group":                         ownerText,
	"personCode":                    personalCodeSchema,
	"personalCode":                  personalCodeSchema,
	"listSignerTasks.signerId":      uuidSchema(),
	"created_after":                 dateTime("2026-01-01T00:00:00Z"),
	"created_before":                dateTime("2026-12-31T00:00:00Z"),
	"created_gt":                    dateTime("2026-01-01T00:00:00Z"),
	"created_lt":                    dateTime("2026-12-31T00:00:00Z"),
	"getEvidenceConsistency.from":   {"minimum": 0, "maximum": 1<<63 - 1, "examples": []int{0}},
	"getEvidenceConsistency.to":     {"minimum": 0, "maximum": 1<<63 - 1, "examples": []int{0}},
}

// queryRule returns the extra keywords of op's query parameter name.
func queryRule(op Operation, name string) map[string]any {
	if name == "sort" {
		return sortSchema(op)
	}
	if r, ok := queryRules[op.ID+"."+name]; ok {
		return r
	}
	return queryRules[name]
}

// pathSchema is the schema of op's path parameter name: process resources
// are UUIDs, the others prefixed ids named by the path they are on.
func pathSchema(op Operation, name string) map[string]any {
	switch name {
	case "processId", "signerId", "stepsignerId", "processSignerId", "processStepId", "contactId", "templateId",
		"registrationId":
		return uuidSchema()
	case "documentId":
		return map[string]any{"type": "string", "minLength": 1, "maxLength": 255, "examples": []string{"doc-2026-001"}}
	case "eventType": // the audit types that send a notification; the others are a 422
		return map[string]any{"type": "string", "enum": workflow.NotifyingTypes()}
	case "id":
		for _, p := range []struct{ path, prefix string }{
			{"/v1/api-keys/", countersign.PrefixAPIKey}, {"/v1/events/", countersign.PrefixEvent},
			{"/v1/webhooks/endpoints/", countersign.PrefixEndpoint}, {"/v1/webhooks/deliveries/", countersign.PrefixDelivery},
			{"/v1/webhooks/replays/", countersign.PrefixReplay}, {"/v1/messages/", notify.PrefixMessage},
		} {
			if strings.HasPrefix(op.Path, p.path) {
				return idSchema(p.prefix)
			}
		}
		return uuidSchema() // document profiles and attributes
	}
	return map[string]any{"type": "string"}
}
