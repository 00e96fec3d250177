package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// benchAPI is the bench's REST client of the service: keep-alive connections,
// one API key.
type benchAPI struct {
	base, key string
	client    *http.Client
}

func newBenchAPI(base, key string, conns int) *benchAPI {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = conns, conns
	return &benchAPI{base: base, key: key, client: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// do sends one request; out, when not nil, receives a 2xx answer's JSON. It
// returns the status and, for other statuses, the error message of the body.
func (a *benchAPI) do(ctx context.Context, method, path string, body []byte, out any) (int, string, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+a.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := a.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return res.StatusCode, "", err
	}
	if res.StatusCode/100 != 2 {
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Error.Code != "" {
			return res.StatusCode, e.Error.Code + ": " + e.Error.Message, nil
		}
		return res.StatusCode, string(raw), nil
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return res.StatusCode, "", fmt.Errorf("decode the answer of %s %s: %w", method, path, err)
		}
	}
	return res.StatusCode, "", nil
}

// registerEndpoints registers one endpoint per receiver path, subscribed to
// --event-types, and gives each receiver its secret.
func (b *bench) registerEndpoints(ctx context.Context) error {
	in := map[string]any{"event_types": b.cfg.EventTypes, "description": "countersign bench"}
	if b.cfg.Mix.Timeout > 0 {
		in["timeout_seconds"] = benchEndpointTimeout
	}
	for i := range b.cfg.Endpoints {
		in["url"] = b.recv.url(i)
		body, _ := json.Marshal(in)
		var ep struct {
			ID     string `json:"id"`
			Secret string `json:"secret"`
		}
		status, msg, err := b.api.do(ctx, http.MethodPost, "/v1/webhooks/endpoints", body, &ep)
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
		if status, msg, err := b.api.do(ctx, http.MethodDelete, "/v1/webhooks/endpoints/"+id, nil, nil); err != nil || status != http.StatusNoContent {
			fmt.Fprintf(b.stderr, "bench: delete endpoint %s: status %d %s %v\n", id, status, msg, err)
		}
	}
}
