package webhook

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
)

// The Sender tests reach every class over real connections; this table pins the
// classification of errors that are hard to provoke on loopback.
func TestClassify(t *testing.T) {
	wrap := func(err error) error { return &url.Error{Op: "Post", URL: "https://h/", Err: err} }
	dial := func(err error) error { return &net.OpError{Op: "dial", Net: "tcp", Err: err} }
	tests := []struct {
		name string
		err  error
		want ErrorClass
	}{
		{"dns not found", wrap(dial(&net.DNSError{Err: "no such host", Name: "h", IsNotFound: true})), ClassDNS},
		{"dns timeout", wrap(dial(&net.DNSError{Err: "i/o timeout", Name: "h", IsTimeout: true})), ClassDNS},
		{"refused", wrap(dial(os.NewSyscallError("connect", syscall.ECONNREFUSED))), ClassConnect},
		{"unreachable", wrap(dial(os.NewSyscallError("connect", syscall.ENETUNREACH))), ClassConnect},
		{"reset mid-answer", wrap(&net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), ClassConnect},
		{"guard", wrap(dial(fmt.Errorf("%w: loopback", ErrBlockedAddress))), ClassConnect},
		{"deadline", wrap(context.DeadlineExceeded), ClassTimeout},
		{"canceled", wrap(context.Canceled), ClassTimeout},
		{"dial timeout", wrap(dial(timeoutError{})), ClassTimeout},
		{"unknown authority", wrap(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), ClassTLS},
		{"hostname", wrap(x509.HostnameError{Host: "h", Certificate: &x509.Certificate{}}), ClassTLS},
		{"expired", wrap(x509.CertificateInvalidError{Reason: x509.Expired, Cert: &x509.Certificate{}}), ClassTLS},
		{"alert", wrap(tls.AlertError(40)), ClassTLS},
		{"record header", wrap(tls.RecordHeaderError{Msg: "bad"}), ClassTLS},
		{"remote alert", wrap(&net.OpError{Op: "remote error", Err: errors.New("tls: handshake failure")}), ClassTLS},
		{"plain answer to TLS", wrap(errors.New(errHTTPResponseToHTTPS)), ClassTLS},
		{"other", wrap(errors.New("EOF")), ClassConnect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.err); got != tt.want {
				t.Fatalf("classify(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
