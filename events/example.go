package events

import (
	"encoding/binary"
	"hash/fnv"
	"time"
)

// The examples tell two stories in one workspace. Claire Bernard of Northwind
// sends a master services agreement for signature through the ERP
// integration's API key: Mari Tamm signs in the first step, then Jean Dupont
// approves and Sofia Rossi views it in parallel in the second. Separately, Mari
// registers for a signing certificate. Events caused by the scheduler or the
// delivery worker rather than an API call carry no API key.

// Identifiers of the examples. Platform ids are prefixed ULIDs, process
// resources UUIDs, as in the service.
var (
	exampleWorkspace = exampleID("wsp", exampleTime("2025-01-15T10:02:44.120Z"), 1)
	exampleAdminKey  = exampleID("key", exampleTime("2025-01-15T10:05:31.907Z"), 2)
	exampleERPKey    = exampleID("key", exampleTime("2025-05-20T13:45:09.337Z"), 3)
	exampleEndpoint  = exampleID("ep", exampleTime("2025-05-20T14:10:52.611Z"), 4)
)

// Example returns a realistic event of type t, the same bytes on every call,
// for golden files, the API docs and the webhook test endpoint. It returns the
// zero Event for a type outside the catalogue.
func Example(t Type) Event {
	data, at, key := exampleData(t)
	if data == nil {
		return Event{}
	}
	h := fnv.New64a()
	h.Write([]byte(t))
	e, err := New(exampleID("evt", at, h.Sum64()), t, exampleWorkspace, key, at, data)
	if err != nil {
		panic("events: example " + string(t) + ": " + err.Error()) // payload structs always encode
	}
	return e
}

// exampleData returns the payload of t's example, when it happened and the
// API key that caused it ("" for none).
func exampleData(t Type) (data any, at time.Time, apiKeyID string) {
	switch t {
	case APIKeyCreated, APIKeyUpdated, APIKeyDeleted:
		k := APIKeyData{
			ID: exampleERPKey, Name: "ERP integration", Role: "integrator", Prefix: "csk_9TqXw2",
			CreatedAt: exampleTime("2025-05-20T13:45:09.337Z"),
		}
		at = k.CreatedAt
		switch t {
		case APIKeyUpdated:
			k.Name, at = "ERP integration (production)", exampleTime("2025-05-21T08:02:51.448Z")
		case APIKeyDeleted:
			k.Name, at = "ERP integration (production)", exampleTime("2025-09-30T16:20:07.015Z")
		}
		return k, at, exampleAdminKey
	case TransactionCreated, TransactionStarted, TransactionPaused, TransactionCancelled,
		TransactionExpired, TransactionCompleted, TransactionDeclined:
		return exampleTransaction(t)
	case ChatMessageReceived:
		return ChatMessageData{
			ID: "7a3e9c1f-2d8b-4e6a-b5f0-94c2d7a1e836", ProcessID: exampleProcessID, SignerID: exampleSigners[0].ID,
			Message:   "Could you confirm that annex B is the final version?",
			CreatedAt: exampleTime("2025-06-02T09:37:14.205Z"),
		}, exampleTime("2025-06-02T09:37:14.205Z"), exampleERPKey
	case ActionOpened, ActionClosed, ActionStalled, ActionManualReminderSent, ActionReminderSent,
		ActionWaitingPeriodCancel, ActionWaitingPeriodEnded:
		return exampleAction(t)
	case IdentityValidationProcessed:
		return IdentityValidationData{
			ProcessID: exampleProcessID, SignerID: exampleSigners[0].ID, Country: "EE",
			VerificationStatus: VerificationSuccess,
		}, exampleTime("2025-06-02T09:39:58.716Z"), exampleERPKey
	case RegistrationIdentityVerified, RegistrationIdentityRejected, RegistrationLifecycleRejected,
		RegistrationLifecycleExpired, RegistrationLifecycleCompleted, RegistrationCertificateActivated:
		return exampleRegistration(t)
	case EndpointDisabled:
		at = exampleTime("2025-06-20T03:14:09.551Z")
		return EndpointDisabledData{
			EndpointID: exampleEndpoint, URL: "https://erp.northwind.example/hooks/countersign",
			Reason:     "every delivery failed for 5 days (last attempt: HTTP 503 Service Unavailable)",
			DisabledAt: at, FailingSince: ptr(exampleTime("2025-06-15T03:12:44.020Z")),
		}, at, ""
	case WebhookTest:
		return WebhookTestData{
			EndpointID: exampleEndpoint,
			Message:    "This is a test event from Countersign: your endpoint received and can verify deliveries.",
		}, exampleTime("2025-05-20T14:11:30.284Z"), exampleAdminKey
	case MessageSent, MessageFailed:
		return exampleMessage(t)
	}
	return nil, time.Time{}, ""
}

// exampleRegistration returns Mari Tamm's registration as type t leaves it.
func exampleRegistration(t Type) (any, time.Time, string) {
	r := RegistrationData{
		ID: "f1b7d3e9-8a2c-4d5f-a6b1-3e9c7f2d0a58", Status: "identity_verified",
		FullName: "Mari Tamm", Email: "mari.tamm@tamm-consulting.example", Phone: "+37255512345",
		VerificationStatus: VerificationSuccess, Method: MethodPVID,
		CreatedAt: exampleTime("2025-06-05T08:12:00.000Z"), ExpiresAt: exampleTime("2025-06-12T08:12:00.000Z"),
	}
	at, key := exampleTime("2025-06-05T08:19:43.880Z"), exampleERPKey
	switch t {
	case RegistrationIdentityRejected:
		r.Status, r.VerificationStatus = "identity_rejected", ""
		r.Reason = "The user declared that the extracted date of birth is wrong."
		at = exampleTime("2025-06-05T08:21:06.302Z")
	case RegistrationLifecycleRejected:
		r.Status, r.VerificationStatus, r.Method = "rejected", "", ""
		r.Reason = "The full name on the identity document does not match the one required by the registration creator."
		at = exampleTime("2025-06-05T08:14:37.129Z")
	case RegistrationLifecycleExpired:
		r.Status, r.VerificationStatus, r.Method = "expired", "", ""
		at, key = exampleTime("2025-06-12T08:12:00.731Z"), ""
	case RegistrationLifecycleCompleted, RegistrationCertificateActivated:
		r.Status, r.CertificateName = "completed", "Mari Tamm - qualified signature"
		r.CompletedAt = ptr(exampleTime("2025-06-05T08:26:51.402Z"))
		at = *r.CompletedAt
		if t == RegistrationCertificateActivated {
			r.Status, at, key = "certificate_activated", exampleTime("2025-06-05T08:27:30.118Z"), ""
		}
	}
	return r, at, key
}

// exampleID returns prefix_ + a lower-case ULID of at's millisecond and 80
// bits drawn from seed, as NewID in the root package makes them, but repeatable.
func exampleID(prefix string, at time.Time, seed uint64) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:8], uint64(at.UnixMilli())<<16)
	x := seed
	for i := 6; i < 16; i++ {
		// splitmix64 steps: well-spread bytes from small seeds.
		x += 0x9e3779b97f4a7c15
		z := (x ^ x>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		b[i] = byte(z ^ z>>31)
	}
	const crockford = "0123456789abcdefghjkmnpqrstvwxyz"
	out := make([]byte, 0, len(prefix)+27)
	out = append(out, prefix...)
	out = append(out, '_')
	// 26 five-bit digits of the 128-bit value padded with two leading zero bits.
	for d := range 26 {
		v := 0
		for k := d*5 - 2; k < d*5+3; k++ {
			v <<= 1
			if k >= 0 && b[k/8]&(0x80>>(k%8)) != 0 {
				v |= 1
			}
		}
		out = append(out, crockford[v])
	}
	return string(out)
}

// exampleTime parses an RFC 3339 time of the examples.
func exampleTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic("events: example time " + s + ": " + err.Error())
	}
	return t
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }
