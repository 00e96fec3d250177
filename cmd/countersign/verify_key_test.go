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

func TestVerifyCommandPublicKey(t *testing.T) {
	signingKey, publicKey := webhook.GenerateKeyPair()
	_, otherKey := webhook.GenerateKeyPair()
	secret := webhook.GenerateSecret()
	signer, err := webhook.NewKeySigner(signingKey)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"id":"evt_1","type":"webhook.test"}`
	request := func(sig, b string) string {
		return fmt.Sprintf("POST /hook HTTP/1.1\r\nHost: example.com\r\nwebhook-id: evt_1\r\nwebhook-timestamp: %d\r\n"+
			"webhook-signature: %s\r\nContent-Length: %d\r\n\r\n%s", time.Now().Unix(), sig, len(b), b)
	}
	ed := signer.Header("evt_1", time.Now(), []byte(body))
	cases := []struct {
		name, input string
		args        []string
		code        int
	}{
		{"ed25519 with its public key", request(ed, body), []string{"--public-key", publicKey}, 0},
		{"rotation, second key", request(ed, body), []string{"--public-key", otherKey, "--public-key", publicKey}, 0},
		{"secret and public key, ed25519 signature", request(ed, body), []string{"--secret", secret, "--public-key", publicKey}, 0},
		{"tampered body", request(ed, strings.Replace(body, "test", "tost", 1)), []string{"--public-key", publicKey}, 1},
		{"another key", request(ed, body), []string{"--public-key", otherKey}, 1},
		{"ed25519 signature, only a secret", request(ed, body), []string{"--secret", secret}, 1},
		{"a secret passed as a public key", request(ed, body), []string{"--public-key", secret}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			err := runWithInput(context.Background(), append([]string{"verify"}, c.args...), strings.NewReader(c.input), &out, io.Discard)
			code := 0
			if err != nil {
				code = exitCode(err)
			}
			if code != c.code {
				t.Fatalf("exit %d (%v), want %d", code, err, c.code)
			}
			if code == 0 && !strings.HasPrefix(out.String(), "valid: webhook-id evt_1") {
				t.Fatalf("printed %q", out.String())
			}
		})
	}
}
