package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/api"
)

// The request helpers of the harness, from the most general to the most
// convenient: send (any request, failing the given tb), do (method, target,
// token and body), expect (do that fails unless the status is as wanted) and
// expectJSON (expect decoding the body into a map).

// apiRequest is one request to the harness. Query is sent raw; Path is
// unescaped unless RawPath gives its escaped form. Body nil sends none, and a
// body is application/json unless ContentType says otherwise. A Header with an
// empty value is removed.
type apiRequest struct {
	Method, Path, RawPath, Query string
	Token                        string
	Body                         []byte
	ContentType                  string
	Header                       map[string]string
}

// response is a decoded answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// send answers r, failing tb when the server does not answer.
func (h *harness) send(tb testing.TB, r apiRequest) response {
	tb.Helper()
	res, err := h.trySend(r)
	if err != nil {
		tb.Fatalf("%.300s: no answer: %.300v", r.Method+" "+r.Path+"?"+r.Query, err)
	}
	return res
}

// trySend answers r through app.Test, or over the socket once the harness listens.
func (h *harness) trySend(r apiRequest) (response, error) {
	req := &http.Request{
		Method: r.Method, URL: &url.URL{Path: r.Path, RawPath: r.RawPath, RawQuery: r.Query}, Host: "countersign.test",
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{}, Body: http.NoBody,
	}
	if r.Body != nil {
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(r.Body)), int64(len(r.Body))
		req.Header.Set("Content-Length", strconv.Itoa(len(r.Body)))
		ct := r.ContentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		if v == "" { // a header removed, such as the Content-Type of a body
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	var res *http.Response
	var err error
	if h.url != "" {
		req.URL.Scheme, req.URL.Host = "http", strings.TrimPrefix(h.url, "http://")
		req.Host = req.URL.Host
		res, err = http.DefaultClient.Do(req)
	} else {
		var raw []byte
		raw, err = httputil.DumpRequest(req, true) // what app.Test sends, kept for serveConn
		if err != nil {
			return response{}, err
		}
		req.Body = io.NopCloser(bytes.NewReader(r.Body))
		res, err = h.srv.App().Test(req, 30_000)
		if err != nil && !strings.Contains(err.Error(), "timeout") {
			// app.Test reports a request the server refuses before routing it (a
			// body over the limit, a request line over the read buffer) as an
			// error, not as the 413 or 431 the server wrote: read that instead.
			res, err = h.serveConn(raw, req)
		}
	}
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, err
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: body}, nil
}

// serveConn serves the raw request on an in-memory connection, whatever
// error the server reports, and reads the answer it wrote.
func (h *harness) serveConn(raw []byte, req *http.Request) (*http.Response, error) {
	c := &memConn{}
	c.in.Write(raw)
	_ = h.srv.App().Server().ServeConn(c)
	return http.ReadResponse(bufio.NewReader(&c.out), req)
}

// memConn is a net.Conn that reads a prepared request and keeps what is written.
type memConn struct{ in, out bytes.Buffer }

func (c *memConn) Read(b []byte) (int, error)       { return c.in.Read(b) }
func (c *memConn) Write(b []byte) (int, error)      { return c.out.Write(b) }
func (c *memConn) Close() error                     { return nil }
func (c *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080} }
func (c *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

// sendRaw sends a bodiless request whose path keeps its escapes as given.
func (h *harness) sendRaw(tb testing.TB, method, rawPath, token string) response {
	tb.Helper()
	path, err := url.PathUnescape(rawPath)
	if err != nil {
		path = rawPath
	}
	return h.send(tb, apiRequest{Method: method, Path: path, RawPath: rawPath, Token: token})
}

// do sends method to target (a path with an optional ?query) with token; body
// is nil, a string or []byte (sent raw) or a value (sent as JSON).
func (h *harness) do(method, target, token string, body any) response {
	h.t.Helper()
	path, query, _ := strings.Cut(target, "?")
	return h.send(h.t, apiRequest{Method: method, Path: path, Query: query, Token: token, Body: rawBody(h.t, body)})
}

// doWithHeaders sends a bodiless request with extra headers.
func (h *harness) doWithHeaders(method, target, token string, headers map[string]string) response {
	h.t.Helper()
	path, query, _ := strings.Cut(target, "?")
	return h.send(h.t, apiRequest{Method: method, Path: path, Query: query, Token: token, Header: headers})
}

// rawBody encodes a request body as do takes it.
func rawBody(tb testing.TB, body any) []byte {
	tb.Helper()
	switch b := body.(type) {
	case nil:
		return nil
	case string:
		return []byte(b)
	case []byte:
		return b
	}
	raw, err := json.Marshal(body)
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// expect sends a request and fails unless it answers want.
func (h *harness) expect(want int, method, target, token string, body any) response {
	h.t.Helper()
	res := h.do(method, target, token, body)
	if res.Status != want {
		h.t.Fatalf("%s %s: %d %s, want %d", method, target, res.Status, res.Body, want)
	}
	return res
}

// expectJSON is expect returning the body decoded into a map (nil for an
// empty body).
func (h *harness) expectJSON(want int, method, target, token string, body any) map[string]any {
	h.t.Helper()
	res := h.expect(want, method, target, token, body)
	if len(res.Body) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(res.Body, &m); err != nil {
		h.t.Fatalf("%s %s: body %q: %v", method, target, res.Body, err)
	}
	return m
}

// badCall is a request the API refuses: the status it answers and the field
// its error names ("" for none).
type badCall struct {
	name, method, path string
	body               any
	status             int
	field              string
}

// expectRefusals sends each request as A's owner, in a subtest of t, and fails
// unless it answers its status with an error body naming its field.
func (h *harness) expectRefusals(t *testing.T, cases []badCall) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path, query, _ := strings.Cut(c.path, "?")
			res := h.send(t, apiRequest{Method: c.method, Path: path, Query: query, Token: h.owner, Body: rawBody(t, c.body)})
			if res.Status != c.status {
				t.Fatalf("%d %s, want %d", res.Status, res.Body, c.status)
			}
			if got := res.ErrorField(t); got != c.field || res.ErrorCode(t) == "" {
				t.Fatalf("field %q (%s), want %q", got, res.Body, c.field)
			}
		})
	}
}

// JSON decodes the body into a map.
func (r response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.Body, err)
	}
	return m
}

// ErrorCode returns error.code of an error body, failing when there is none.
func (r response) ErrorCode(t testing.TB) string {
	t.Helper()
	var b api.ErrorBody
	if err := json.Unmarshal(r.Body, &b); err != nil || b.Error.Code == "" {
		t.Fatalf("status %d body %q is not an error body", r.Status, r.Body)
	}
	return b.Error.Code
}

// ErrorField returns error.field of an error body.
func (r response) ErrorField(t testing.TB) string {
	t.Helper()
	var b api.ErrorBody
	if err := json.Unmarshal(r.Body, &b); err != nil {
		t.Fatalf("body %q: %v", r.Body, err)
	}
	return b.Error.Field
}

// decodeInto decodes the body of r into v.
func decodeInto(t testing.TB, r response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// isErrorBody reports whether body is the API's JSON error with a code and a message.
func isErrorBody(body []byte) bool {
	var b struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	return json.Unmarshal(body, &b) == nil && b.Error != nil && b.Error.Code != "" && b.Error.Message != ""
}
