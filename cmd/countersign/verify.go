package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/countersign/countersign/webhook/verify"
)

// secretList collects repeated --secret flags.
type secretList []string

func (s *secretList) String() string     { return strings.Join(*s, ",") }
func (s *secretList) Set(v string) error { *s = append(*s, v); return nil }

// verifyCmd checks a webhook request read from stdin (as raw HTTP: request
// line, headers, blank line, body) against one or more secrets.
func verifyCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("countersign verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var secrets secretList
	fs.Var(&secrets, "secret", "an endpoint secret (whsec_…); repeat during a rotation")
	var publicKeys publicKeyList
	fs.Var(&publicKeys, "public-key", "an endpoint public key (whpk_…) for Ed25519 signatures; repeat during a rotation")
	tolerance := fs.Duration("tolerance", verify.DefaultTolerance, "how far webhook-timestamp may be from now")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: countersign verify --secret whsec_… [--secret whsec_…] [--tolerance 5m] < request.http

Reads one webhook request from standard input as raw HTTP (request line,
headers, a blank line, the body), checks its webhook-signature against the
secrets and its webhook-timestamp against the clock, and prints "valid: …" or
exits 1 saying why.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError{msg: errMsg(err)}
	}
	secrets = append(secrets, publicKeys...) // verify.New tells them apart by prefix
	if len(secrets) == 0 {
		return usagef("verify: at least one --secret is required")
	}
	v, err := verify.New(secrets...)
	if err != nil {
		return usageError{msg: "verify: " + unprefixed(err)}
	}
	req, err := http.ReadRequest(bufio.NewReader(stdin))
	if err != nil {
		return fmt.Errorf("verify: read the request from stdin: %w", err)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return fmt.Errorf("verify: read the body: %w", err)
	}
	if err := v.With(verify.WithTolerance(*tolerance)).Verify(req.Header, body); err != nil {
		return invalidError{err}
	}
	fmt.Fprintf(stdout, "valid: webhook-id %s, signed at %s\n", req.Header.Get("webhook-id"), timestampOf(req.Header))
	return nil
}

// invalidError is a request that failed verification. The verify package's
// errors start with its name, which the command already says: it is said once.
type invalidError struct{ err error }

func (e invalidError) Error() string { return "verify: invalid: " + unprefixed(e.err) }
func (e invalidError) Unwrap() error { return e.err }

// unprefixed is err's message without the verify package's "verify: ".
func unprefixed(err error) string { return strings.TrimPrefix(err.Error(), "verify: ") }

// timestampOf renders the webhook-timestamp header as a time.
func timestampOf(h http.Header) string {
	var sec int64
	if _, err := fmt.Sscan(h.Get("webhook-timestamp"), &sec); err != nil {
		return "?"
	}
	return time.Unix(sec, 0).UTC().Format(time.RFC3339)
}
