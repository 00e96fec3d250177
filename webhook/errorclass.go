package webhook

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
)

// ErrorClass says how a delivery attempt failed, for the attempt log and for
// the failure statistics of an endpoint.
type ErrorClass string

// The classes of a failed attempt, from the earliest step that can fail.
const (
	ClassNone       ErrorClass = ""            // a 2xx answer
	ClassDNS        ErrorClass = "dns"         // the host did not resolve
	ClassConnect    ErrorClass = "connect"     // no connection, a refused address, or a broken one
	ClassTLS        ErrorClass = "tls"         // handshake or certificate failure
	ClassTimeout    ErrorClass = "timeout"     // no answer within the timeout
	ClassHTTPStatus ErrorClass = "http_status" // an answer that is not a 2xx, redirects included
)

// classify names the class of an error from http.Client.Do, by the types in its
// chain rather than by its text.
func classify(err error) ErrorClass {
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return ClassDNS
	}
	if isTLSError(err) {
		return ClassTLS
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return ClassTimeout
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return ClassTimeout
	}
	return ClassConnect
}

// isTLSError reports whether err comes from the TLS handshake or certificate
// verification.
func isTLSError(err error) bool {
	switch {
	case errors.Is(err, ErrBlockedAddress):
		return false
	case asType[tls.RecordHeaderError](err),
		asType[*tls.CertificateVerificationError](err),
		asType[tls.AlertError](err),
		asType[*tls.ECHRejectionError](err),
		asType[x509.UnknownAuthorityError](err),
		asType[x509.HostnameError](err),
		asType[x509.CertificateInvalidError](err),
		asType[x509.SystemRootsError](err):
		return true
	}
	// crypto/tls reports the alerts it sends or receives as these operations,
	// wrapping an unexported alert type.
	if oe, ok := errors.AsType[*net.OpError](err); ok && (oe.Op == "local error" || oe.Op == "remote error") {
		return true
	}
	// net/http replaces the RecordHeaderError of a plain-HTTP answer to a TLS
	// handshake by an error of its own that has no type to test.
	return strings.HasSuffix(err.Error(), errHTTPResponseToHTTPS)
}

const errHTTPResponseToHTTPS = "http: server gave HTTP response to HTTPS client"

func asType[E error](err error) bool {
	_, ok := errors.AsType[E](err)
	return ok
}
