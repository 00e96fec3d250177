package api

import (
	"encoding/json"

	"github.com/countersign/countersign/events"
)

// schemaFor returns the JSON Schema of v's type, reflected the way the event
// catalogue reflects payloads so both documents agree.
func schemaFor(v any) json.RawMessage {
	if m, ok := v.(map[string]any); ok && len(m) == 0 {
		return json.RawMessage(`{"type":"object"}`)
	}
	return events.Reflect(v)
}
