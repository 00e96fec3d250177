package webhook

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/countersign/countersign"
)

// Header names of a Standard Webhooks delivery.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// The webhook-* names as net/http keys its header maps, to set them without
// canonicalizing on every attempt.
var (
	canonicalID        = http.CanonicalHeaderKey(HeaderID)
	canonicalTimestamp = http.CanonicalHeaderKey(HeaderTimestamp)
	canonicalSignature = http.CanonicalHeaderKey(HeaderSignature)
)

// Bounds of an endpoint's custom headers: every delivery carries them, and a
// receiver or a proxy before it refuses a request whose headers are too large.
const (
	MaxHeaders     = 20
	MaxHeaderBytes = 4096 // names and values together
)

// MaskedValue stands for the value of a sensitive custom header
// (SensitiveHeader) in every answer. An update that sends it back as the value
// keeps the stored one, so a client may send the headers it read.
const MaskedValue = "********"

// reservedHeaders are set by the Sender or by HTTP itself, folded
// (foldHeader); an endpoint's custom headers cannot replace them. Every
// webhook-* header is reserved as well.
var reservedHeaders = map[string]bool{
	"content-type":      true,
	"content-length":    true,
	"content-encoding":  true,
	"transfer-encoding": true,
	"host":              true,
	"connection":        true,
	"keep-alive":        true,
	"te":                true,
	"trailer":           true,
	"upgrade":           true,
	"user-agent":        true,
}

// foldHeader is a header name as receivers may see it: HTTP compares names
// regardless of case, and CGI, PHP, WSGI and Rack read "_" as "-" when they
// turn headers into variables (HTTP_WEBHOOK_SIGNATURE), so Webhook_Signature
// would reach such a receiver as the signature itself.
func foldHeader(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), "_", "-")
}

// ReservedHeader reports whether an endpoint's custom header may not use name
// (compared after foldHeader): the webhook-* headers, Content-Type, User-Agent
// and the headers that frame the HTTP message. The Sender skips such custom headers.
func ReservedHeader(name string) bool {
	f := foldHeader(name)
	return strings.HasPrefix(f, "webhook-") || reservedHeaders[f]
}

// sensitiveParts mark the names of headers that carry credentials.
var sensitiveParts = []string{"auth", "cookie", "token", "secret", "password", "passwd", "key", "session", "credential"}

// SensitiveHeader reports whether a custom header's value is a credential,
// masked (MaskedValue) when the endpoint is read back: its folded name holds
// auth (Authorization, Proxy-Authorization, X-Auth-…), cookie, token, secret,
// password, passwd, key (X-Api-Key), session or credential. A false positive
// only hides a value its owner sent.
func SensitiveHeader(name string) bool {
	f := foldHeader(name)
	for _, part := range sensitiveParts {
		if strings.Contains(f, part) {
			return true
		}
	}
	return false
}

// MaskHeaders returns a copy of h with the values of sensitive headers masked.
func MaskHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for name, value := range h {
		if SensitiveHeader(name) {
			value = MaskedValue
		}
		out[name] = value
	}
	return out
}

// ValidateHeaders checks an endpoint's custom headers: at most MaxHeaders of at
// most MaxHeaderBytes in all, each name an HTTP token, not reserved and not
// the name of another after folding, and no value with a control character.
// Errors are EVALIDATION errors about the field "headers".
func ValidateHeaders(h map[string]string) error {
	invalid := func(format string, args ...any) error {
		return countersign.FieldErrorf(countersign.EVALIDATION, "headers", format, args...)
	}
	if len(h) > MaxHeaders {
		return invalid("headers holds %d headers; at most %d are allowed", len(h), MaxHeaders)
	}
	size := 0
	for name, value := range h {
		size += len(name) + len(value)
	}
	if size > MaxHeaderBytes {
		return invalid("headers are %d bytes in all (names and values); at most %d are allowed", size, MaxHeaderBytes)
	}
	folded := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(h)) {
		if !validHeaderName(name) {
			return invalid("invalid header name %q", name)
		}
		if ReservedHeader(name) {
			return invalid("header %q is set by Countersign (names are compared regardless of case, with _ as -)", name)
		}
		if other, ok := folded[foldHeader(name)]; ok {
			return invalid("headers %q and %q are one header to a receiver (names are compared regardless of case, with _ as -)", other, name)
		}
		folded[foldHeader(name)] = name
		if !validHeaderValue(h[name]) {
			return invalid("header %q has an invalid value", name)
		}
	}
	return nil
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHeaderValue reports whether value has no control character but tab.
func validHeaderValue(value string) bool {
	for i := 0; i < len(value); i++ {
		if c := value[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// setCustomHeaders copies an endpoint's custom headers into h, skipping reserved
// and malformed ones, which registration refuses anyway.
func setCustomHeaders(h http.Header, custom map[string]string) {
	for name, value := range custom {
		if validHeaderName(name) && !ReservedHeader(name) && validHeaderValue(value) {
			h.Set(name, value)
		}
	}
}
