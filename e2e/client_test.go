package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// client calls the REST API with an API key.
type client struct {
	base, token string
	hc          *http.Client
}

func newClient(base, token string) *client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 128, 128
	return &client{base: base, token: token, hc: &http.Client{Transport: tr, Timeout: 20 * time.Second}}
}

// call sends a request (body encoded as JSON when not nil) and returns the
// status and body; err is a transport error (no answer).
func (c *client) call(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, nil, err
	}
	return res.StatusCode, data, nil
}

// must sends a request that has to answer want, and decodes the answer into out (when not nil).
func (c *client) must(ctx context.Context, want int, method, path string, body, out any) error {
	status, data, err := c.call(ctx, method, path, body)
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

// apiError is the error body of every error answer.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// errorCode returns the code of an error answer, or "" when data is not one.
func errorCode(data []byte) string {
	var e apiError
	if json.Unmarshal(data, &e) != nil {
		return ""
	}
	return e.Error.Code
}
