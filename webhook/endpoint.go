package webhook

import (
	"context"
	"net/url"
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
	Secret         string
	// PreviousSecret still signs until PreviousSecretExpiresAt (secret rotation).
	PreviousSecret          string
	PreviousSecretExpiresAt *time.Time
	// FailingSince is when the current run of failed attempts began; nil while healthy.
	FailingSince *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
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
		if u, err := url.Parse(*in.URL); err != nil || u.Fragment != "" {
			return countersign.FieldErrorf(countersign.EVALIDATION, "url", "url must be an absolute URL without a fragment")
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
		e.Headers = in.Headers
	}
	if in.RateLimit != nil {
		e.RateLimit = *in.RateLimit
	}
	if in.TimeoutSeconds != nil {
		e.TimeoutSeconds = *in.TimeoutSeconds
	}
}
