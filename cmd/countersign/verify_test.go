package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/webhook"
)

func TestVerifyCommand(t *testing.T) {
	secret := webhook.GenerateSecret()
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"id":"evt_1","type":"webhook.test"}`
	request := func(ts time.Time, b string) string {
		sig := webhook.Sign(key, "evt_1", ts, []byte(body))
		return fmt.Sprintf("POST /hook HTTP/1.1\r\nHost: example.com\r\nwebhook-id: evt_1\r\nwebhook-timestamp: %d\r\n"+
			"webhook-signature: %s\r\nContent-Length: %d\r\n\r\n%s", ts.Unix(), sig, len(b), b)
	}
	cases := []struct {
		name, input string
		args        []string
		ok          bool
	}{
		{"valid", request(time.Now(), body), []string{"--secret", secret}, true},
		{"second secret of a rotation", request(time.Now(), body), []string{"--secret", webhook.GenerateSecret(), "--secret", secret}, true},
		{"tampered body", request(time.Now(), strings.Replace(body, "test", "tost", 1)), []string{"--secret", secret}, false},
		{"wrong secret", request(time.Now(), body), []string{"--secret", webhook.GenerateSecret()}, false},
		{"outside the tolerance", request(time.Now().Add(-10*time.Minute), body), []string{"--secret", secret}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			err := runWithInput(context.Background(), append([]string{"verify"}, c.args...), strings.NewReader(c.input), &out, io.Discard)
			if c.ok != (err == nil) {
				t.Fatalf("verify: err = %v, want ok=%v", err, c.ok)
			}
			if c.ok && !strings.HasPrefix(out.String(), "valid: webhook-id evt_1") {
				t.Fatalf("printed %q", out.String())
			}
		})
	}
	if err := runWithInput(context.Background(), []string{"verify"}, strings.NewReader(""), io.Discard, io.Discard); exitCode(err) != 2 {
		t.Fatalf("verify without --secret: %v", err)
	}
	// Errors say each thing once: "countersign: verify: invalid: no signature matches".
	for _, c := range []struct {
		args  []string
		input string
		code  int
		want  string
	}{
		{[]string{"--secret", webhook.GenerateSecret()}, request(time.Now(), body), 1, "verify: invalid: no signature matches"},
		{[]string{"--secret", secret}, request(time.Now().Add(-time.Hour), body), 1, "verify: invalid: webhook-timestamp is too old: "},
		{[]string{"--secret", secret}, "POST / HTTP/1.1\r\nHost: x\r\n\r\n", 1, "verify: invalid: missing webhook-id"},
		{[]string{"--secret", "whsec_nope"}, request(time.Now(), body), 2, "verify: invalid secret: secret 1 "},
	} {
		err := runWithInput(context.Background(), append([]string{"verify"}, c.args...), strings.NewReader(c.input), io.Discard, io.Discard)
		if exitCode(err) != c.code || err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Count(err.Error(), "verify") != 1 {
			t.Errorf("verify %v: %v (exit %d), want exit %d and %q, saying verify once", c.args, err, exitCode(err), c.code, c.want)
		}
	}
}
