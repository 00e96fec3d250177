// Package kit is what the bench and the end-to-end tests share to drive a
// running Countersign: the REST client, child processes of the binary, and
// the verifying side of a webhook receiver. It is a normal package (the
// bench is not a test) and imports nothing heavier than the standard
// library and webhook/verify.
package kit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Client calls the REST API with one API key over keep-alive connections.
type Client struct {
	base, key string
	hc        *http.Client
}

// NewClient returns a client of the API at base (http://host:port) that
// keeps up to conns idle connections and gives each request timeout.
func NewClient(base, key string, conns int, timeout time.Duration) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = conns, conns
	return &Client{base: base, key: key, hc: &http.Client{Transport: tr, Timeout: timeout}}
}

// Send sends raw (JSON, or nil for no body) and returns the status and the
// body of the answer (up to 4 MiB); err is a transport error (no answer).
func (c *Client) Send(ctx context.Context, method, path string, raw []byte) (int, []byte, error) {
	var rd io.Reader
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return res.StatusCode, nil, err
	}
	return res.StatusCode, data, nil
}

// Call sends body encoded as JSON (no body when nil) and returns the status
// and the body of the answer.
func (c *Client) Call(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return 0, nil, err
		}
	}
	return c.Send(ctx, method, path, raw)
}

// Must sends a request that has to answer want, and decodes the answer into
// out (when not nil).
func (c *Client) Must(ctx context.Context, want int, method, path string, body, out any) error {
	status, data, err := c.Call(ctx, method, path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if status != want {
		return fmt.Errorf("%s %s: %d %s, want %d", method, path, status, data, want)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode %s: %w", method, path, data, err)
		}
	}
	return nil
}

// APIError is the body of every error answer of the API.
type APIError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// ErrorCode returns the code of an error answer, or "" when data is not one.
func ErrorCode(data []byte) string {
	var e APIError
	if json.Unmarshal(data, &e) != nil {
		return ""
	}
	return e.Error.Code
}

// ErrorText words an error answer as "code: message", or returns the body
// itself when it is not one.
func ErrorText(data []byte) string {
	var e APIError
	if json.Unmarshal(data, &e) == nil && e.Error.Code != "" {
		return e.Error.Code + ": " + e.Error.Message
	}
	return string(data)
}
