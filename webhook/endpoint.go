package webhook

import (
	"context"
	"errors"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/countersign/countersign"
)

// Endpoint limits.
const (
	DefaultTimeoutSeconds = 15
	MaxTimeoutSeconds     = 60
	MaxRateLimit          = 10000
	MaxDescriptionLength  = 1000
	MaxURLLength          = 2048
	// DefaultRotationGrace is how long the previous secret keeps signing after a rotation.
	DefaultRotationGrace = 24 * time.Hour
	// DefaultDisableAfter is how long an endpoint may fail continuously before
	// it is disabled.
	DefaultDisableAfter = 5 * 24 * time.Hour
)

// Endpoint is a receiver URL with the event types it subscribes to.
type Endpoint struct {
	ID             string
	WorkspaceID    string
	URL            string
	Description    string
	EventTypes     []string
	Enabled        bool
	DisabledReason string
	DisabledAt     *time.Time
	Headers        map[string]string
	// RateLimit is the most requests per second sent to the endpoint; 0 means no limit.
	RateLimit      int
	TimeoutSeconds int
	// Secret is the signing credential: a whsec_ secret (HMAC-SHA256) or a
	// whsk_ signing key (Ed25519); its prefix is the endpoint's scheme.
	Secret string
	// PreviousSecret still signs until PreviousSecretExpiresAt (secret
	// rotation); it may be of the other scheme when a rotation changed it.
	PreviousSecret          string
	PreviousSecretExpiresAt *time.Time
	// FailingSince is when the current run of failed attempts began; nil while healthy.
	FailingSince *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Ordering is whether the events of one process are sent one at a time,
	// in commit order (OrderingNone when empty).
	Ordering Ordering
}

// Secrets returns the secrets that sign at now: the current one, and the
// previous one during a rotation's grace period.
func (e *Endpoint) Secrets(now time.Time) []string {
	if e.PreviousSecret != "" && e.PreviousSecretExpiresAt != nil && now.Before(*e.PreviousSecretExpiresAt) {
		return []string{e.Secret, e.PreviousSecret}
	}
	return []string{e.Secret}
}

// Timeout is the attempt timeout.
func (e *Endpoint) Timeout() time.Duration {
	if e.TimeoutSeconds <= 0 {
		return DefaultTimeoutSeconds * time.Second
	}
	return time.Duration(e.TimeoutSeconds) * time.Second
}

// EndpointInput is a create or update request; nil fields are left as they are
// on update and take their defaults on create.
type EndpointInput struct {
	URL            *string           `json:"url"`
	Description    *string           `json:"description"`
	EventTypes     []string          `json:"event_types"`
	Enabled        *bool             `json:"enabled"`
	Headers        map[string]string `json:"headers"`
	RateLimit      *int              `json:"rate_limit"`
	TimeoutSeconds *int              `json:"timeout_seconds"`
	// SignatureScheme is set on create (default hmac-sha256); an update may
	// repeat it but not change it: rotateWebhookSecret changes it, with a
	// grace period and an answer that carries the new credential.
	SignatureScheme *SignatureScheme `json:"signature_scheme"`
	// Ordering is "none" (the default) or "process": the events of one
	// signing process are sent one at a time, in commit order. A change
	// applies to the deliveries made after it.
	Ordering *Ordering `json:"ordering"`
}

// Scheme is the scheme a create asks for: SchemeHMAC unless set.
func (in EndpointInput) Scheme() SignatureScheme {
	if in.SignatureScheme == nil {
		return SchemeHMAC
	}
	return *in.SignatureScheme
}

// CheckScheme refuses an update that would change e's scheme.
func (in EndpointInput) CheckScheme(e Endpoint) error {
	if in.SignatureScheme == nil || *in.SignatureScheme == e.Scheme() {
		return nil
	}
	return countersign.FieldErrorf(countersign.EVALIDATION, "signature_scheme",
		"signature_scheme is %s; change it with POST /v1/webhooks/endpoints/%s/secret/rotate {\"signature_scheme\":%q}, which answers the new credential and keeps the old one signing for a grace period",
		e.Scheme(), e.ID, *in.SignatureScheme)
}

// Validate checks the input; creating requires url and event_types. The URL is
// checked against guard, which resolves its host.
func (in EndpointInput) Validate(ctx context.Context, guard Guard, creating bool) error {
	if creating && in.URL == nil {
		return countersign.FieldErrorf(countersign.EVALIDATION, "url", "url is required")
	}
	if creating && in.EventTypes == nil {
		return countersign.FieldErrorf(countersign.EVALIDATION, "event_types", "event_types is required")
	}
	if in.URL != nil {
		if len(*in.URL) > MaxURLLength {
			return countersign.FieldErrorf(countersign.EVALIDATION, "url", "url is longer than %d characters", MaxURLLength)
		}
		if err := checkURLSyntax(*in.URL); err != nil {
			return err
		}
		if err := guard.CheckURL(ctx, *in.URL, nil); err != nil {
			return err
		}
	}
	if in.EventTypes != nil {
		if err := ValidatePatterns(in.EventTypes); err != nil {
			return err
		}
	}
	if in.Description != nil && len([]rune(*in.Description)) > MaxDescriptionLength {
		return countersign.FieldErrorf(countersign.EVALIDATION, "description", "description is longer than %d characters", MaxDescriptionLength)
	}
	if in.Headers != nil {
		if err := ValidateHeaders(in.Headers); err != nil {
			return err
		}
		if creating {
			if err := in.CheckMasks(Endpoint{}); err != nil {
				return err
			}
		}
	}
	if in.SignatureScheme != nil {
		if err := in.SignatureScheme.Validate(); err != nil {
			return err
		}
	}
	if in.Ordering != nil {
		if err := in.Ordering.Validate(); err != nil {
			return err
		}
	}
	if in.RateLimit != nil && (*in.RateLimit < 0 || *in.RateLimit > MaxRateLimit) {
		return countersign.FieldErrorf(countersign.EVALIDATION, "rate_limit", "rate_limit must be from 0 (no limit) to %d requests per second", MaxRateLimit)
	}
	if in.TimeoutSeconds != nil && (*in.TimeoutSeconds < 1 || *in.TimeoutSeconds > MaxTimeoutSeconds) {
		return countersign.FieldErrorf(countersign.EVALIDATION, "timeout_seconds", "timeout_seconds must be from 1 to %d", MaxTimeoutSeconds)
	}
	return nil
}

// Apply copies the set fields of in onto e.
func (in EndpointInput) Apply(e *Endpoint) {
	if in.URL != nil {
		e.URL = *in.URL
	}
	if in.Description != nil {
		e.Description = strings.TrimSpace(*in.Description)
	}
	if in.EventTypes != nil {
		e.EventTypes = NormalizePatterns(in.EventTypes)
	}
	if in.Enabled != nil {
		e.Enabled = *in.Enabled
		if e.Enabled {
			e.DisabledReason, e.DisabledAt, e.FailingSince = "", nil, nil
		}
	}
	if in.Headers != nil {
		e.Headers = keepMasked(in.Headers, e.Headers)
	}
	if in.RateLimit != nil {
		e.RateLimit = *in.RateLimit
	}
	if in.TimeoutSeconds != nil {
		e.TimeoutSeconds = *in.TimeoutSeconds
	}
	if in.Ordering != nil {
		e.Ordering = *in.Ordering
	}
	if e.Ordering == "" {
		e.Ordering = OrderingNone
	}
}

// checkURLSyntax refuses a URL that does not parse, has a fragment, or a port
// out of 1–65535 (url.Parse takes any digits); the Guard checks the rest.
func checkURLSyntax(raw string) error {
	invalid := func(format string, args ...any) error {
		return countersign.FieldErrorf(countersign.EVALIDATION, "url", format, args...)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return invalid("url does not parse as a URL: %v", err)
	}
	if u.Fragment != "" || strings.HasSuffix(raw, "#") {
		return invalid("url must not have a fragment (#…)")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return invalid("url port %s is out of range: a port is from 1 to 65535", p)
		}
	}
	return nil
}

// CheckMasks refuses MaskedValue as the value of a sensitive header that e,
// the endpoint being changed, does not hold: a mask keeps a stored value and
// stands for no other. Creating checks against the zero Endpoint.
func (in EndpointInput) CheckMasks(e Endpoint) error {
	stored := map[string]bool{}
	for name := range e.Headers {
		stored[foldHeader(name)] = true
	}
	for _, name := range slices.Sorted(maps.Keys(in.Headers)) {
		if in.Headers[name] == MaskedValue && SensitiveHeader(name) && !stored[foldHeader(name)] {
			return countersign.FieldErrorf(countersign.EVALIDATION, "headers",
				"header %q holds %s, the mask of a value read back, but the endpoint has no such header: send the value itself", name, MaskedValue)
		}
	}
	return nil
}

// keepMasked returns the headers of an update: next, where a sensitive
// header sent back with MaskedValue keeps its value in prev.
func keepMasked(next, prev map[string]string) map[string]string {
	old := map[string]string{}
	for name, value := range prev {
		old[foldHeader(name)] = value
	}
	out := make(map[string]string, len(next))
	for name, value := range next {
		if v, ok := old[foldHeader(name)]; ok && value == MaskedValue && SensitiveHeader(name) {
			value = v
		}
		out[name] = value
	}
	return out
}
