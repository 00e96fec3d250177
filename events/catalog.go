package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// Version1 is the catalogue version of every type Countersign emits today.
// Definition.Version names the catalogue version that added a type ("v1",
// "v2", ...), not a date: within a version a payload only gains optional
// fields, so a receiver written against it keeps working.
const Version1 = "v1"

// Definition describes one event type for integrators: what it means and the
// shape of its data, as served by the catalogue endpoint and the API docs.
type Definition struct {
	Type Type `json:"type"`
	// Description says when the event happens.
	Description string `json:"description"`
	// Schema is the JSON Schema (draft 2020-12) of the event's data, reflected
	// from its payload struct.
	Schema json.RawMessage `json:"schema"`
	// Version is the catalogue version that added the type (see Version1).
	Version string `json:"version"`
	// Extension is true for Countersign's own types (transaction.lifecycle.declined,
	// endpoint.disabled, webhook.test), false for the common e-signature types.
	Extension bool `json:"extension"`
	// Group is the resource the type is about: its first name segment, one of
	// "apikey", "transaction", "action", "identity-validation", "registration",
	// "endpoint", "webhook" or "message".
	Group string `json:"group"`
}

// about is what the catalogue knows of a type besides its name.
type about struct {
	description string
	common      bool // one of the common e-signature types, not Countersign's own
	payload     func() any
}

// Payload constructors shared by the types of a family.
func apiKeyData() any       { return new(APIKeyData) }
func transactionData() any  { return new(TransactionData) }
func actionData() any       { return new(ActionData) }
func registrationData() any { return new(RegistrationData) }
func messageData() any      { return new(MessageData) }

// catalogue holds every type's entry; the catalogue test checks it covers Types exactly.
var catalogue = map[Type]about{
	APIKeyCreated: {"The API key has been created.", true, apiKeyData},
	APIKeyUpdated: {"The API key's name has been updated.", true, apiKeyData},
	APIKeyDeleted: {"The API key has been deleted.", true, apiKeyData},

	TransactionCreated:   {"The transaction has been created, as a draft (status PENDING).", true, transactionData},
	TransactionStarted:   {"The transaction has been started, or resumed after a pause.", true, transactionData},
	TransactionPaused:    {"The transaction has been paused.", true, transactionData},
	TransactionCancelled: {"The transaction has been cancelled.", true, transactionData},
	TransactionExpired:   {"The transaction has expired: a deadline passed before every participant acted.", true, transactionData},
	TransactionCompleted: {"All participants have performed their actions: the transaction is completed and all signed documents are ready to be retrieved.", true, transactionData},
	ChatMessageReceived: {"The transaction creator has received an instant message sent by a participant.", true,
		func() any { return new(ChatMessageData) }},

	ActionOpened:              {"The action is ready to be performed by the participant.", true, actionData},
	ActionClosed:              {"The participant has performed their action (action says which: SIGNED, APPROVED or VIEWED).", true, actionData},
	ActionStalled:             {"The participant has not performed their action: they refused it or the allotted time ran out. stallReason says why.", true, actionData},
	ActionManualReminderSent:  {"A manual reminder has been sent to the participant.", true, actionData},
	ActionReminderSent:        {"An automatic reminder has been sent to the participant.", true, actionData},
	ActionWaitingPeriodCancel: {"The waiting period has been cancelled within the transaction: the participant can perform their action now.", true, actionData},
	ActionWaitingPeriodEnded:  {"The waiting period has ended and the participant can perform their action now.", true, actionData},

	IdentityValidationProcessed: {"The participant's identity has been checked, with a verificationStatus of success or failure.", true,
		func() any { return new(IdentityValidationData) }},

	RegistrationIdentityVerified:     {"The identity has been verified, with a verification_status of success or failure.", true, registrationData},
	RegistrationIdentityRejected:     {"The verified identity has been rejected: the user declared an error in the data extracted and presented as valid, due to an extraction error or an input error in the data recording file.", true, registrationData},
	RegistrationLifecycleRejected:    {"The identity information was rejected at the beginning of the process: it did not meet a registration requirement set by the registration creator (such as the user's full name or phone number).", true, registrationData},
	RegistrationLifecycleExpired:     {"The registration session has expired. A registration lives 7 days; if it has not been used to create a certificate by then, it is deleted.", true, registrationData},
	RegistrationLifecycleCompleted:   {"The registration is complete: the user has chosen a certificate name and signed the subscription agreement.", true, registrationData},
	RegistrationCertificateActivated: {"The certificate has been issued and is ready to be used.", true, registrationData},

	TransactionDeclined: {"A participant has declined their action: the transaction has ended with the status DECLINED.", false, transactionData},
	EndpointDisabled: {"A webhook endpoint has been disabled after failing continuously for the configured period or answering 410 Gone; it receives no deliveries until it is enabled again.", false,
		func() any { return new(EndpointDisabledData) }},
	WebhookTest: {"A test event sent to one webhook endpoint on request, to check that it receives and verifies deliveries.", false,
		func() any { return new(WebhookTestData) }},
	MessageSent: {"A notification email (an invitation, reminder or outcome mail) has been accepted by the mail server.", false, messageData},
	MessageFailed: {"A notification email could not be sent: the mail server refused it for good (SMTP 5xx) or every attempt of the retry schedule failed.", false,
		messageData},
}

// rules narrow the fields whose value sets the Go types leave open.
var rules = map[reflect.Type]map[string]rule{
	reflect.TypeFor[Process]():                {"status": {enum: ProcessStatuses}},
	reflect.TypeFor[Step]():                   {"stepStatus": {enum: StepStatuses}},
	reflect.TypeFor[Signer]():                 {"signingStatus": {enum: SigningStatuses}, "signerRole": {enum: SignerRoles}},
	reflect.TypeFor[ActionData]():             {"action": {enum: ClosingActions}},
	reflect.TypeFor[IdentityValidationData](): {"verificationStatus": {enum: VerificationStatuses}},
	reflect.TypeFor[RegistrationData]():       {"verification_status": {enum: VerificationStatuses}, "method": {enum: VerificationMethods}},
	reflect.TypeFor[MessageData](): {"notification": {enum: MessageNotifications}, "status": {enum: MessageStatuses},
		"recipient_role": {enum: []string{SignerSigner, SignerApprover, SignerViewer, SignerInitiator}}, "id": {pattern: "^msg_"}},
	reflect.TypeFor[Event](): {
		"id":           {pattern: "^evt_"},
		"object":       {konst: ObjectEvent},
		"workspace_id": {pattern: "^wsp_"},
		"api_key_id":   {pattern: "^key_"},
	},
}

// built is the catalogue with its schemas, computed once on first use.
type built struct {
	defs      []Definition
	index     map[Type]int
	envelopes map[Type]json.RawMessage
}

var catalogOnce = sync.OnceValue(func() built {
	r := &reflector{
		fields: rules,
		types:  map[reflect.Type][]string{reflect.TypeFor[StallReason](): stallReasonNames()},
		seen:   map[reflect.Type]bool{},
	}
	b := built{index: make(map[Type]int, len(Types)), envelopes: make(map[Type]json.RawMessage, len(Types))}
	for _, t := range Types {
		a, ok := catalogue[t]
		if !ok {
			panic(fmt.Sprintf("events: type %s has no catalogue entry", t))
		}
		data := r.reflect(reflect.TypeOf(a.payload()).Elem())
		data.Title, data.Description = string(t), a.description
		env := r.reflect(reflect.TypeFor[Event]())
		env.Schema, env.Title, env.Description = draft202012, string(t)+" event", a.description
		env.prop("type").Const = string(t)
		for i, p := range env.Properties {
			if p.Name == "data" {
				env.Properties[i].Schema = data
			}
		}
		b.envelopes[t] = mustMarshal(env)
		data.Schema = draft202012
		b.index[t] = len(b.defs)
		b.defs = append(b.defs, Definition{
			Type: t, Description: a.description, Schema: mustMarshal(data),
			Version: Version1, Extension: !a.common, Group: group(t),
		})
	}
	return b
})

// Catalog returns the definition of every type, in the order of Types. The
// slice and its schemas are the caller's to keep or change.
func Catalog() []Definition {
	defs := catalogOnce().defs
	out := make([]Definition, len(defs))
	for i, d := range defs {
		d.Schema = bytes.Clone(d.Schema)
		out[i] = d
	}
	return out
}

// Lookup returns the definition of t, and false if t is not in the catalogue.
func Lookup(t Type) (Definition, bool) {
	b := catalogOnce()
	i, ok := b.index[t]
	if !ok {
		return Definition{}, false
	}
	d := b.defs[i]
	d.Schema = bytes.Clone(d.Schema)
	return d, true
}

// EnvelopeSchema returns the JSON Schema of a whole event of type t (Event)
// with the data schema inlined, or nil if t is not in the catalogue.
func EnvelopeSchema(t Type) json.RawMessage {
	return bytes.Clone(catalogOnce().envelopes[t])
}

// PayloadFor returns a pointer to a new zero payload struct of t, ready to
// decode Event.Data into, or nil if t is not in the catalogue.
func PayloadFor(t Type) any {
	a, ok := catalogue[t]
	if !ok {
		return nil
	}
	return a.payload()
}

// group returns the first segment of t's name.
func group(t Type) string {
	g, _, _ := strings.Cut(string(t), ".")
	return g
}

func stallReasonNames() []string {
	names := make([]string, len(StallReasons))
	for i, r := range StallReasons {
		names[i] = string(r)
	}
	return names
}

func mustMarshal(s *schema) json.RawMessage {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("events: encode schema: %v", err))
	}
	return b
}
