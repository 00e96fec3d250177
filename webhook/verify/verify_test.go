package verify_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/webhook/verify"
)

const (
	secretA = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	secretB = "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24tdGVzdHM="
)

// sign computes a v1 signature with the standard library alone, independently of
// the package under test.
func sign(t *testing.T, secret, id string, ts int64, body string) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	h := hmac.New(sha256.New, key)
	h.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "." + body))
	return "v1," + base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func header(id, ts, sig string) http.Header {
	h := http.Header{}
	if id != "" {
		h.Set("webhook-id", id)
	}
	if ts != "" {
		h.Set("webhook-timestamp", ts)
	}
	if sig != "" {
		h.Set("webhook-signature", sig)
	}
	return h
}

func TestVerify(t *testing.T) {
	now := time.Unix(1767225600, 0)
	const id, body = "msg_1", `{"type":"action.opened"}`
	ts := now.Unix()
	tsText := strconv.FormatInt(ts, 10)
	good := sign(t, secretA, id, ts, body)
	other := sign(t, secretB, id, ts, body)

	tests := []struct {
		name    string
		secrets []string
		header  http.Header
		body    string
		want    error
	}{
		{"valid", []string{secretA}, header(id, tsText, good), body, nil},
		{"valid among several signatures", []string{secretA}, header(id, tsText, other+" "+good), body, nil},
		{"extra spaces between signatures", []string{secretA}, header(id, tsText, "  "+other+"   "+good+" "), body, nil},
		{"second secret of a rotation", []string{secretB, secretA}, header(id, tsText, good), body, nil},
		{"secret without prefix", []string{strings.TrimPrefix(secretA, "whsec_")}, header(id, tsText, good), body, nil},
		{"wrong secret", []string{secretB}, header(id, tsText, good), body, verify.ErrNoMatchingSignature},
		{"tampered body", []string{secretA}, header(id, tsText, good), body + " ", verify.ErrNoMatchingSignature},
		{"tampered id", []string{secretA}, header("msg_2", tsText, good), body, verify.ErrNoMatchingSignature},
		{"tampered timestamp", []string{secretA}, header(id, strconv.FormatInt(ts+1, 10), good), body, verify.ErrNoMatchingSignature},
		{"other version only", []string{secretA}, header(id, tsText, "v2,"+strings.TrimPrefix(good, "v1,")), body, verify.ErrNoMatchingSignature},
		{"no version", []string{secretA}, header(id, tsText, strings.TrimPrefix(good, "v1,")), body, verify.ErrNoMatchingSignature},
		{"garbage base64", []string{secretA}, header(id, tsText, "v1,!!!"), body, verify.ErrNoMatchingSignature},
		{"missing id", []string{secretA}, header("", tsText, good), body, verify.ErrMissingHeaders},
		{"missing timestamp", []string{secretA}, header(id, "", good), body, verify.ErrMissingHeaders},
		{"missing signature", []string{secretA}, header(id, tsText, ""), body, verify.ErrMissingHeaders},
		{"timestamp not a number", []string{secretA}, header(id, "2026-01-01", good), body, verify.ErrInvalidTimestamp},
		{"timestamp in milliseconds", []string{secretA}, header(id, tsText+"000", good), body, verify.ErrTimestampTooNew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := verify.New(tt.secrets...)
			if err != nil {
				t.Fatal(err)
			}
			v = v.With(verify.WithNow(func() time.Time { return now }))
			err = v.Verify(tt.header, []byte(tt.body))
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyTolerance(t *testing.T) {
	now := time.Unix(1767225600, 0)
	const id, body = "msg_1", `{}`
	tests := []struct {
		name      string
		offset    time.Duration
		tolerance time.Duration
		want      error
	}{
		{"now", 0, 0, nil},
		{"at the past edge of the default", -5 * time.Minute, 0, nil},
		{"past the default", -5*time.Minute - time.Second, 0, verify.ErrTimestampTooOld},
		{"at the future edge of the default", 5 * time.Minute, 0, nil},
		{"beyond the default future", 5*time.Minute + time.Second, 0, verify.ErrTimestampTooNew},
		{"inside a wider tolerance", -time.Hour, 2 * time.Hour, nil},
		{"outside a narrower tolerance", -2 * time.Minute, time.Minute, verify.ErrTimestampTooOld},
		{"future outside a narrower tolerance", 2 * time.Minute, time.Minute, verify.ErrTimestampTooNew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := now.Add(tt.offset).Unix()
			v, err := verify.New(secretA)
			if err != nil {
				t.Fatal(err)
			}
			v = v.With(verify.WithNow(func() time.Time { return now }), verify.WithTolerance(tt.tolerance))
			err = v.Verify(header(id, strconv.FormatInt(ts, 10), sign(t, secretA, id, ts, body)), []byte(body))
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		ok      bool
	}{
		{"one", []string{secretA}, true},
		{"two", []string{secretA, secretB}, true},
		{"none", nil, false},
		{"empty", []string{"whsec_"}, false},
		{"not base64", []string{"whsec_not*base64"}, false},
		{"too short", []string{"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 23))}, false},
		{"too long", []string{"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65))}, false},
		{"second bad", []string{secretA, "whsec_x"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := verify.New(tt.secrets...)
			if tt.ok != (err == nil) {
				t.Fatalf("New = %v, want ok %v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, verify.ErrInvalidSecret) {
				t.Fatalf("New = %v, want ErrInvalidSecret", err)
			}
			if err != nil && strings.Contains(err.Error(), "MfKQ9r8G") {
				t.Fatalf("error %q quotes the secret", err)
			}
		})
	}
}

// With must not change the Verifier it was called on: one may be shared by handlers.
func TestWithCopies(t *testing.T) {
	now := time.Unix(1767225600, 0)
	base, err := verify.New(secretA)
	if err != nil {
		t.Fatal(err)
	}
	base = base.With(verify.WithNow(func() time.Time { return now }))
	_ = base.With(verify.WithNow(func() time.Time { return now.Add(time.Hour) }))
	ts := now.Unix()
	h := header("msg_1", strconv.FormatInt(ts, 10), sign(t, secretA, "msg_1", ts, "{}"))
	if err := base.Verify(h, []byte("{}")); err != nil {
		t.Fatalf("Verify after With on a copy = %v", err)
	}
}
