package api

import (
	"net/http"
	"time"

	"github.com/countersign/countersign/webhook"
)

// EndpointView is a webhook endpoint as the API shows it. Secret (whsec_) is
// set only in the answers to createWebhookEndpoint and rotateWebhookSecret of
// an HMAC endpoint; an Ed25519 endpoint shows its PublicKey (whpk_) instead,
// in every answer, and its signing key in none.
type EndpointView struct {
	Object         string            `json:"object"`
	ID             string            `json:"id"`
	URL            string            `json:"url"`
	Description    string            `json:"description"`
	EventTypes     []string          `json:"event_types"`
	Enabled        bool              `json:"enabled"`
	DisabledReason *string           `json:"disabled_reason"`
	DisabledAt     *time.Time        `json:"disabled_at"`
	Headers        map[string]string `json:"headers"`
	// RateLimit is the most requests a second sent to the endpoint; null for no limit.
	RateLimit      *int       `json:"rate_limit"`
	TimeoutSeconds int        `json:"timeout_seconds"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	Health         HealthView `json:"health"`
	// SignatureScheme is how deliveries are signed: hmac-sha256 ("v1,"
	// signatures) or ed25519 ("v1a,").
	SignatureScheme webhook.SignatureScheme `json:"signature_scheme"`
	Secret          string                  `json:"secret,omitempty"`
	PublicKey       string                  `json:"public_key,omitempty"`
	// Ordering is none, or process: the events of one signing process are
	// sent one at a time, in commit order.
	Ordering webhook.Ordering `json:"ordering"`
}

// HealthView is how an endpoint has been answering over the last 24 hours.
type HealthView struct {
	// SuccessRate is the share of the last 24 hours' attempts that got a 2xx
	// answer, from 0 to 1; null when there was none.
	SuccessRate  *float64         `json:"success_rate"`
	Attempts24h  int              `json:"attempts_24h"`
	FailingSince *time.Time       `json:"failing_since"`
	LastAttempts []AttemptSummary `json:"last_attempts"`
}

// AttemptSummary is one recent attempt in an endpoint's health.
type AttemptSummary struct {
	ID         string    `json:"id"`
	DeliveryID string    `json:"delivery_id"`
	Attempt    int       `json:"attempt"`
	StartedAt  time.Time `json:"started_at"`
	StatusCode *int      `json:"status_code"`
	ErrorClass *string   `json:"error_class"`
	LatencyMS  float64   `json:"latency_ms"`
}

// SecretView is the answer of getWebhookSecret: what a receiver needs to
// verify, the whsec_ secret of an HMAC endpoint or the whpk_ public key of an
// Ed25519 one, and during a rotation's grace period the previous one (of
// either kind: a rotation may change the scheme). A whsk_ signing key is
// never shown.
type SecretView struct {
	SignatureScheme         webhook.SignatureScheme `json:"signature_scheme"`
	Secret                  string                  `json:"secret,omitempty"`
	PublicKey               string                  `json:"public_key,omitempty"`
	PreviousSecret          *string                 `json:"previous_secret"`
	PreviousPublicKey       *string                 `json:"previous_public_key"`
	PreviousSecretExpiresAt *time.Time              `json:"previous_secret_expires_at"`
}

// NewSecretView returns the verifying credentials of e at now.
func NewSecretView(e webhook.Endpoint, now time.Time) SecretView {
	v := SecretView{SignatureScheme: e.Scheme(), PublicKey: e.PublicKey()}
	if v.SignatureScheme == webhook.SchemeHMAC {
		v.Secret = e.Secret
	}
	if creds := e.Secrets(now); len(creds) == 2 {
		v.PreviousSecretExpiresAt = e.PreviousSecretExpiresAt
		if pub := e.PreviousPublicKey(now); pub != "" {
			v.PreviousPublicKey = &pub
		} else {
			v.PreviousSecret = &creds[1]
		}
	}
	return v
}

// DeliveryView is one event's delivery to one endpoint. ReplayID is set on a
// replay: the delivery (dlv_…), event (evt_…) or bulk replay (rpl_…) it replays.
type DeliveryView struct {
	Object         string         `json:"object"`
	ID             string         `json:"id"`
	EventID        string         `json:"event_id"`
	EndpointID     string         `json:"endpoint_id"`
	EventType      string         `json:"event_type"`
	Status         webhook.Status `json:"status"`
	AttemptCount   int            `json:"attempt_count"`
	NextAttemptAt  *time.Time     `json:"next_attempt_at"`
	LastStatusCode *int           `json:"last_status_code"`
	LastError      *string        `json:"last_error"`
	ReplayID       *string        `json:"replay_id"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	DeliveredAt    *time.Time     `json:"delivered_at"`
}

// DeliveryDetail is the answer of getDelivery: the delivery and every attempt.
type DeliveryDetail struct {
	DeliveryView
	Attempts []AttemptView `json:"attempts"`
}

// AttemptView is one recorded attempt with the receiver's answer.
type AttemptView struct {
	ID                string      `json:"id"`
	Attempt           int         `json:"attempt"`
	StartedAt         time.Time   `json:"started_at"`
	LatencyMS         float64     `json:"latency_ms"`
	StatusCode        *int        `json:"status_code"`
	ErrorClass        *string     `json:"error_class"`
	Error             *string     `json:"error"`
	ResponseHeaders   http.Header `json:"response_headers"`
	ResponseBody      string      `json:"response_body"`
	ResponseTruncated bool        `json:"response_truncated"`
}

// DeliveryList is a page of deliveries, newest first. next_cursor is the id
// to pass as starting_after for the next, older page; null on the last page.
type DeliveryList struct {
	Object     string         `json:"object"`
	Data       []DeliveryView `json:"data"`
	HasMore    bool           `json:"has_more"`
	NextCursor *string        `json:"next_cursor"`
}

// NewEndpointView returns the view of e with its health, without the secret
// (withSecret adds it to the answers that carry it), and with the values of sensitive custom headers masked.
func NewEndpointView(e webhook.Endpoint, h webhook.Health) EndpointView {
	v := EndpointView{Object: "webhook_endpoint", ID: e.ID, URL: e.URL, Description: e.Description, EventTypes: e.EventTypes,
		Enabled: e.Enabled, DisabledReason: optString(e.DisabledReason), DisabledAt: e.DisabledAt, Headers: webhook.MaskHeaders(e.Headers),
		TimeoutSeconds: e.TimeoutSeconds, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
		SignatureScheme: e.Scheme(), PublicKey: e.PublicKey(), Ordering: e.Ordering,
		Health: HealthView{SuccessRate: h.SuccessRate, Attempts24h: h.Attempts, FailingSince: h.FailingSince,
			LastAttempts: make([]AttemptSummary, len(h.LastAttempts))}}
	if v.Ordering == "" {
		v.Ordering = webhook.OrderingNone
	}
	if v.EventTypes == nil {
		v.EventTypes = []string{}
	}
	if v.Headers == nil {
		v.Headers = map[string]string{}
	}
	if e.RateLimit > 0 {
		n := e.RateLimit
		v.RateLimit = &n
	}
	for i, a := range h.LastAttempts {
		v.Health.LastAttempts[i] = AttemptSummary{ID: a.ID, DeliveryID: a.DeliveryID, Attempt: a.Number, StartedAt: a.StartedAt,
			StatusCode: a.StatusCode, ErrorClass: optString(string(a.ErrorClass)), LatencyMS: millis(a.Latency)}
	}
	return v
}

// withSecret returns v with e's secret when e signs with HMAC: the answers
// that hand over the credential a receiver needs. An Ed25519 endpoint's view
// has its public key already and keeps its signing key out.
func withSecret(v EndpointView, e webhook.Endpoint) EndpointView {
	if e.Scheme() == webhook.SchemeHMAC {
		v.Secret = e.Secret
	}
	return v
}

// NewDeliveryView returns the view of d.
func NewDeliveryView(d webhook.Delivery) DeliveryView {
	return DeliveryView{Object: "delivery", ID: d.ID, EventID: d.EventID, EndpointID: d.EndpointID, EventType: d.EventType,
		Status: d.Status, AttemptCount: d.Attempts, NextAttemptAt: d.NextAttemptAt, LastStatusCode: d.LastStatusCode,
		LastError: optString(d.LastError), ReplayID: optString(d.ReplayID), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
		DeliveredAt: d.DeliveredAt}
}

// newDeliveryViews returns the views of ds, never nil.
func newDeliveryViews(ds []webhook.Delivery) []DeliveryView {
	out := make([]DeliveryView, len(ds))
	for i, d := range ds {
		out[i] = NewDeliveryView(d)
	}
	return out
}

func newAttemptView(a webhook.Attempt) AttemptView {
	v := AttemptView{ID: a.ID, Attempt: a.Number, StartedAt: a.StartedAt, LatencyMS: millis(a.Latency), StatusCode: a.StatusCode,
		ErrorClass: optString(string(a.ErrorClass)), Error: optString(a.Error), ResponseHeaders: a.ResponseHeaders,
		ResponseBody: a.ResponseBody, ResponseTruncated: a.Truncated}
	if v.ResponseHeaders == nil {
		v.ResponseHeaders = http.Header{}
	}
	return v
}

// millis is a duration in milliseconds, to the microsecond.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// optString is nil for "", so an absent text answers null.
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
