package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Defaults of a Sender.
const (
	// DefaultTimeout bounds one attempt: connecting, sending, and the receiver's
	// answer. A 2xx that comes later is a timeout, and the delivery is retried.
	DefaultTimeout = 15 * time.Second
	// DefaultMaxIdleConnsPerHost lets thousands of deliveries a second to a few
	// receivers reuse their connections instead of opening new ones.
	DefaultMaxIdleConnsPerHost = 256
	// MaxResponseBody is how much of a receiver's answer an attempt keeps.
	MaxResponseBody = 16 << 10
	// maxDrain is how much more of an answer is read and dropped so that its
	// connection can be reused; past that, closing it costs less.
	maxDrain = 64 << 10
)

// SenderConfig configures a Sender. The zero value works: strict Guard, default
// timeout and connection pool, system roots.
type SenderConfig struct {
	// Version goes into the User-Agent header: Countersign/<Version>.
	Version string
	// Guard is checked on every connection, on the address actually dialled.
	Guard Guard
	// Timeout is the default of Request.Timeout; zero means DefaultTimeout.
	Timeout time.Duration
	// MaxIdleConnsPerHost; zero means DefaultMaxIdleConnsPerHost.
	MaxIdleConnsPerHost int
	// TLSConfig, when set, replaces the default client TLS configuration; tests
	// use it to trust an httptest server's certificate.
	TLSConfig *tls.Config
	// Resolver, when set, replaces the system resolver.
	Resolver *net.Resolver
}

// Sender makes delivery attempts: one signed POST each, no redirects followed,
// no proxy (a proxy would hide the receiver's address from the Guard), and a pool
// of kept-alive connections shared by all attempts. A Sender is safe for
// concurrent use; make one per process.
type Sender struct {
	client    *http.Client
	transport *http.Transport
	userAgent string
	timeout   time.Duration
}

// NewSender returns a Sender configured by cfg.
func NewSender(cfg SenderConfig) *Sender {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxIdleConnsPerHost <= 0 {
		cfg.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	}
	dialer := &net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
		Control:   cfg.Guard.Control,
		Resolver:  cfg.Resolver,
	}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        cfg.TLSConfig,
		TLSHandshakeTimeout:    10 * time.Second,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           0, // no limit across hosts; each host is bounded below
		MaxIdleConnsPerHost:    cfg.MaxIdleConnsPerHost,
		IdleConnTimeout:        90 * time.Second,
		DisableCompression:     true,
		MaxResponseHeaderBytes: 64 << 10,
	}
	version := cfg.Version
	if version == "" {
		version = "dev"
	}
	return &Sender{
		client: &http.Client{
			Transport: tr,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		transport: tr,
		userAgent: "Countersign/" + version,
		timeout:   cfg.Timeout,
	}
}

// CloseIdleConnections closes the connections the Sender keeps alive, at shutdown.
func (s *Sender) CloseIdleConnections() { s.transport.CloseIdleConnections() }

// Request is one delivery attempt to make.
type Request struct {
	URL string
	// MsgID, Timestamp and Signature fill the webhook-* headers. MsgID is the same
	// on every attempt of a delivery; Signature is the webhook-signature value for
	// MsgID, Timestamp and Body, as a Signer computes it.
	MsgID     string
	Timestamp time.Time
	Signature string
	Body      []byte
	// Headers are the endpoint's custom headers; reserved ones are skipped.
	Headers map[string]string
	// Timeout bounds the attempt; zero means the Sender's.
	Timeout time.Duration
}

// Result is what an attempt did, as it is recorded.
type Result struct {
	// StatusCode is the receiver's HTTP status, 0 when none came.
	StatusCode int
	// Latency runs from sending to the end of reading the (truncated) answer.
	Latency time.Duration
	// ErrorClass is ClassNone for a 2xx, and otherwise says how the attempt failed.
	ErrorClass ErrorClass
	// Error describes the failure; it never includes the URL, whose query may
	// hold the receiver's credentials.
	Error           string
	ResponseHeaders http.Header
	// ResponseBody is at most MaxResponseBody bytes; Truncated says more came.
	ResponseBody []byte
	Truncated    bool
	// RetryAfter is the answer's Retry-After header, for Schedule.Next.
	RetryAfter string
}

// OK reports whether the attempt delivered the message: a 2xx within the timeout.
func (r Result) OK() bool { return r.ErrorClass == ClassNone && r.StatusCode/100 == 2 }

// Gone reports whether the receiver answered 410 Gone, which disables the endpoint
// instead of scheduling a retry.
func (r Result) Gone() bool { return r.StatusCode == http.StatusGone }

// Send makes one attempt: it POSTs req.Body to req.URL with the delivery headers
// and reads the answer. Failures are reported in the Result, never as a panic or
// an error, so that every attempt is recorded alike. If ctx itself ends (the
// worker is stopping) the Result is a timeout; the caller should check ctx.Err()
// and not count such an attempt.
func (s *Sender) Send(ctx context.Context, req Request) Result {
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = s.timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return Result{ErrorClass: ClassConnect, Error: "invalid endpoint URL"}
	}
	h := hreq.Header
	setCustomHeaders(h, req.Headers)
	h[canonicalID] = []string{req.MsgID}
	h[canonicalTimestamp] = []string{strconv.FormatInt(req.Timestamp.Unix(), 10)}
	h[canonicalSignature] = []string{req.Signature}
	h["Content-Type"] = []string{"application/json"}
	h["User-Agent"] = []string{s.userAgent}

	start := time.Now()
	resp, err := s.client.Do(hreq)
	if err != nil {
		return Result{Latency: time.Since(start), ErrorClass: classify(err), Error: describe(err)}
	}
	body, truncated := readBody(resp.Body)
	res := Result{
		StatusCode:      resp.StatusCode,
		Latency:         time.Since(start),
		ResponseHeaders: resp.Header,
		ResponseBody:    body,
		Truncated:       truncated,
		RetryAfter:      resp.Header.Get("Retry-After"),
	}
	switch {
	case resp.StatusCode/100 == 2:
	case resp.StatusCode/100 == 3:
		res.ErrorClass = ClassHTTPStatus
		res.Error = fmt.Sprintf("HTTP %d: redirects are not followed", resp.StatusCode)
	default:
		res.ErrorClass = ClassHTTPStatus
		res.Error = fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return res
}

// readBody reads up to MaxResponseBody bytes of an answer, then drains a bounded
// rest and closes it so that the connection goes back to the pool. An error while
// reading keeps what was read: the status already decided the attempt.
func readBody(rc io.ReadCloser) ([]byte, bool) {
	defer rc.Close()
	body, _ := io.ReadAll(io.LimitReader(rc, MaxResponseBody+1))
	truncated := len(body) > MaxResponseBody
	if truncated {
		body = body[:MaxResponseBody]
		_, _ = io.CopyN(io.Discard, rc, maxDrain)
	}
	return body, truncated
}

// describe returns err's text without the *url.Error wrapper, which quotes the URL.
func describe(err error) string {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out: " + err.Error()
	}
	return err.Error()
}
