package console

import "encoding/json"

// envelopeJSON is the event as receivers get it, indented.
func envelopeJSON(e event) string {
	env := struct {
		ID          string          `json:"id"`
		Object      string          `json:"object"`
		Type        string          `json:"type"`
		CreatedAt   any             `json:"created_at"`
		WorkspaceID string          `json:"workspace_id"`
		APIKeyID    *string         `json:"api_key_id"`
		ResourceID  *string         `json:"resource_id"`
		Data        json.RawMessage `json:"data"`
	}{e.ID, e.Object, e.Type, e.CreatedAt, e.WorkspaceID, e.APIKeyID, e.ResourceID, e.Data}
	if len(env.Data) == 0 {
		env.Data = json.RawMessage("null")
	}
	b, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}
