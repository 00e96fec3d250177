package events

import (
	"encoding/json"
	"fmt"
	"time"
)

// Event is the envelope every event travels in, to the event log and to webhook
// receivers alike. Data holds the payload struct of Type, already encoded, so an
// event is signed and delivered as stored, byte for byte.
type Event struct {
	// ID is "evt_" + a ULID; receivers deduplicate on it.
	ID string `json:"id"`
	// Object is always ObjectEvent.
	Object      string    `json:"object"`
	Type        Type      `json:"type"`
	CreatedAt   time.Time `json:"created_at"`
	WorkspaceID string    `json:"workspace_id"`
	// APIKeyID is the key of the API request that caused the event, nil (null)
	// when no request did (the scheduler, the delivery worker).
	APIKeyID *string `json:"api_key_id"`
	// Data is the payload struct of Type, encoded (see PayloadFor).
	Data json.RawMessage `json:"data"`
}

// ObjectEvent is the value of Event.Object.
const ObjectEvent = "event"

// New builds an event of type t carrying data. id comes from the caller (an evt_
// ULID); createdAt is truncated to microseconds, the precision it is stored with.
func New(id string, t Type, workspaceID, apiKeyID string, createdAt time.Time, data any) (Event, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("encode %s payload: %w", t, err)
	}
	e := Event{
		ID:          id,
		Object:      ObjectEvent,
		Type:        t,
		CreatedAt:   createdAt.UTC().Truncate(time.Microsecond),
		WorkspaceID: workspaceID,
		Data:        raw,
	}
	if apiKeyID != "" {
		e.APIKeyID = &apiKeyID
	}
	return e, nil
}
