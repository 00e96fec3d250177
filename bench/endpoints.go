package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/countersign/countersign/internal/kit"
)

// call sends one request to the service; out, when not nil, receives a 2xx
// answer's JSON. It returns the status and, for other statuses, the error
// message of the body.
func call(ctx context.Context, c *kit.Client, method, path string, body []byte, out any) (int, string, error) {
	status, raw, err := c.Send(ctx, method, path, body)
	if err != nil {
		return status, "", err
	}
	if status/100 != 2 {
		return status, kit.ErrorText(raw), nil
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return status, "", fmt.Errorf("decode the answer of %s %s: %w", method, path, err)
		}
	}
	return status, "", nil
}

// registerEndpoints registers one endpoint per receiver path, subscribed to
// --event-types, and gives each receiver its secret.
func (b *bench) registerEndpoints(ctx context.Context) error {
	in := map[string]any{"event_types": b.cfg.EventTypes, "description": "countersign bench"}
	if b.cfg.Mix.Timeout > 0 {
		in["timeout_seconds"] = endpointTimeout
	}
	for i := range b.cfg.Endpoints {
		in["url"] = b.recv.url(i)
		body, _ := json.Marshal(in)
		var ep struct {
			ID     string `json:"id"`
			Secret string `json:"secret"`
		}
		status, msg, err := call(ctx, b.api, http.MethodPost, "/v1/webhooks/endpoints", body, &ep)
		if err != nil || status != http.StatusCreated {
			return fmt.Errorf("bench: register endpoint %d: status %d %s %v", i, status, msg, err)
		}
		if err := b.recv.setSecret(i, ep.Secret); err != nil {
			return err
		}
		b.endpoints, b.secrets = append(b.endpoints, ep.ID), append(b.secrets, ep.Secret)
	}
	return nil
}

// deleteEndpoints removes the bench's endpoints from an attached service.
func (b *bench) deleteEndpoints(ctx context.Context) {
	for _, id := range b.endpoints {
		if status, msg, err := call(ctx, b.api, http.MethodDelete, "/v1/webhooks/endpoints/"+id, nil, nil); err != nil || status != http.StatusNoContent {
			fmt.Fprintf(b.stderr, "bench: delete endpoint %s: status %d %s %v\n", id, status, msg, err)
		}
	}
}
