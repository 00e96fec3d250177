package console

import (
	"encoding/json"
	"time"
)

// The API's answers, as far as the pages show them. The console is a client
// of the JSON API: these mirror its documented shapes.

// list is a cursor-paginated list.
type list[T any] struct {
	Data       []T     `json:"data"`
	HasMore    bool    `json:"has_more"`
	NextCursor *string `json:"next_cursor"`
}

// last is the id to page on after a list: next_cursor when the API gives it,
// else the last item's id.
func last[T interface{ key() string }](l list[T]) string {
	if !l.HasMore || len(l.Data) == 0 {
		return ""
	}
	if l.NextCursor != nil && *l.NextCursor != "" {
		return *l.NextCursor
	}
	return l.Data[len(l.Data)-1].key()
}

type endpoint struct {
	ID             string            `json:"id"`
	URL            string            `json:"url"`
	Description    string            `json:"description"`
	EventTypes     []string          `json:"event_types"`
	Enabled        bool              `json:"enabled"`
	DisabledReason *string           `json:"disabled_reason"`
	Headers        map[string]string `json:"headers"`
	RateLimit      *int              `json:"rate_limit"`
	TimeoutSeconds int               `json:"timeout_seconds"`
	CreatedAt      time.Time         `json:"created_at"`
	Health         struct {
		SuccessRate  *float64   `json:"success_rate"`
		Attempts24h  int        `json:"attempts_24h"`
		FailingSince *time.Time `json:"failing_since"`
		LastAttempts []struct {
			StartedAt  time.Time `json:"started_at"`
			StatusCode *int      `json:"status_code"`
			LatencyMS  float64   `json:"latency_ms"`
		} `json:"last_attempts"`
	} `json:"health"`
	// SignatureScheme is hmac-sha256 or ed25519. An ed25519 endpoint has a
	// PublicKey where an HMAC one shows its Secret.
	SignatureScheme string `json:"signature_scheme"`
	Secret          string `json:"secret"`
	PublicKey       string `json:"public_key"`
}

func (e endpoint) key() string { return e.ID }

type delivery struct {
	ID             string     `json:"id"`
	EventID        string     `json:"event_id"`
	EndpointID     string     `json:"endpoint_id"`
	EventType      string     `json:"event_type"`
	Status         string     `json:"status"`
	AttemptCount   int        `json:"attempt_count"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"`
	LastStatusCode *int       `json:"last_status_code"`
	LastError      *string    `json:"last_error"`
	ReplayID       *string    `json:"replay_id"`
	CreatedAt      time.Time  `json:"created_at"`
	DeliveredAt    *time.Time `json:"delivered_at"`
	Attempts       []struct {
		Attempt           int                 `json:"attempt"`
		StartedAt         time.Time           `json:"started_at"`
		LatencyMS         float64             `json:"latency_ms"`
		StatusCode        *int                `json:"status_code"`
		ErrorClass        *string             `json:"error_class"`
		Error             *string             `json:"error"`
		ResponseHeaders   map[string][]string `json:"response_headers"`
		ResponseBody      string              `json:"response_body"`
		ResponseTruncated bool                `json:"response_truncated"`
	} `json:"attempts"`
}

func (d delivery) key() string { return d.ID }

// State is the delivery's status as people read it: a pending delivery that
// has been tried is retrying.
func (d delivery) State() string {
	if d.Status == "pending" && d.AttemptCount > 0 {
		return "retrying"
	}
	return d.Status
}

type event struct {
	ID           string          `json:"id"`
	Object       string          `json:"object"`
	Type         string          `json:"type"`
	CreatedAt    time.Time       `json:"created_at"`
	WorkspaceID  string          `json:"workspace_id"`
	APIKeyID     *string         `json:"api_key_id"`
	Data         json.RawMessage `json:"data"`
	ResourceID   *string         `json:"resource_id"`
	ExpungedAt   *time.Time      `json:"expunged_at"`
	ResponseBody json.RawMessage `json:"response_body,omitempty"`
}

func (e event) key() string { return e.ID }

type replay struct {
	ID            string `json:"id"`
	DryRun        bool   `json:"dry_run"`
	Status        string `json:"status"`
	Total         int    `json:"total"`
	Done          *int   `json:"done"`
	EndpointID    string `json:"endpoint_id"`
	RatePerSecond int    `json:"rate_per_second"`
	Filter        *struct {
		Status        string    `json:"status"`
		EventType     *string   `json:"event_type"`
		CreatedAfter  time.Time `json:"created_after"`
		CreatedBefore time.Time `json:"created_before"`
	} `json:"filter"`
	APIKeyID   *string    `json:"api_key_id"`
	CreatedAt  *time.Time `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

func (r replay) key() string { return r.ID }

// DoneCount is how many deliveries the replay has made.
func (r replay) DoneCount() int {
	if r.Done == nil {
		return 0
	}
	return *r.Done
}

type apiKey struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	Secret     string     `json:"secret"`
}

type eventType struct {
	Type        string          `json:"type"`
	Description string          `json:"description"`
	Group       string          `json:"group"`
	Version     string          `json:"version"`
	Schema      json.RawMessage `json:"schema"`
	Example     json.RawMessage `json:"example"`
}

type signer struct {
	ID                 string `json:"id"`
	SignerName         string `json:"signerName"`
	SignerEmail        string `json:"signerEmail"`
	SignerPersonalCode string `json:"signerPersonalCode"`
	SignerRole         string `json:"signerRole"`
	SigningStatus      string `json:"signingStatus"`
}

type process struct {
	ID            string     `json:"id"`
	CreatedAt     time.Time  `json:"createdAt"`
	Status        string     `json:"status"`
	DocumentID    string     `json:"documentId"`
	DocumentName  string     `json:"documentName"`
	InitiatorName string     `json:"initiatorName"`
	TotalSigners  int        `json:"totalSigners"`
	TotalSigned   int        `json:"totalSigned"`
	CompletedAt   *time.Time `json:"completedAt"`
	Steps         []struct {
		ID           string   `json:"id"`
		ProcessOrder int      `json:"processOrder"`
		StepStatus   string   `json:"stepStatus"`
		Signers      []signer `json:"processStepSigners"`
	} `json:"signingProcessSteps"`
}

// springPage is the process API's page object.
type springPage[T any] struct {
	Content       []T   `json:"content"`
	TotalElements int64 `json:"totalElements"`
	TotalPages    int   `json:"totalPages"`
	Number        int   `json:"number"`
}

type auditRecord struct {
	ID            string    `json:"id"`
	CreatedAt     time.Time `json:"createdAt"`
	EventType     string    `json:"eventType"`
	Creator       string    `json:"creator"`
	Note          string    `json:"note"`
	ClientAppName string    `json:"clientAppName"`
	APIKeyID      string    `json:"apiKeyId"`
}
