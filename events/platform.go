package events

import "time"

// APIKeyData is the payload of apikey.* events. It never carries the secret.
type APIKeyData struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Prefix    string    `json:"prefix"`
	CreatedAt time.Time `json:"created_at"`
}

// RegistrationData is the payload of registration.* events: the signer
// registration as it is after the change.
type RegistrationData struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	FullName string `json:"full_name,omitempty"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"`
	// VerificationStatus is one of VerificationStatuses ("success" or "failure"),
	// set once the identity has been checked (registration.identity.verified).
	VerificationStatus string `json:"verification_status,omitempty"`
	// Method is how the identity was verified: one of VerificationMethods ("pvid" or "web").
	Method          string     `json:"method,omitempty"`
	CertificateName string     `json:"certificate_name,omitempty"`
	Reason          string     `json:"reason,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	ExpiresAt       time.Time  `json:"expires_at"`
	CompletedAt     *time.Time `json:"completed_at,omitempty"`
}

// EndpointDisabledData is the payload of endpoint.disabled.
type EndpointDisabledData struct {
	EndpointID string    `json:"endpoint_id"`
	URL        string    `json:"url"`
	Reason     string    `json:"reason"`
	DisabledAt time.Time `json:"disabled_at"`
	// FailingSince is when the endpoint's current run of failures began.
	FailingSince *time.Time `json:"failing_since,omitempty"`
}

// WebhookTestData is the payload of webhook.test.
type WebhookTestData struct {
	EndpointID string `json:"endpoint_id"`
	Message    string `json:"message"`
}
