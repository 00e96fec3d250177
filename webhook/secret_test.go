package webhook_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

func TestGenerateSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s := webhook.GenerateSecret()
		if !strings.HasPrefix(s, "whsec_") {
			t.Fatalf("secret %q lacks the whsec_ prefix", s)
		}
		key, err := webhook.ParseSecret(s)
		if err != nil {
			t.Fatalf("ParseSecret(GenerateSecret()) = %v", err)
		}
		if len(key) != webhook.SecretSize {
			t.Fatalf("key is %d bytes, want %d", len(key), webhook.SecretSize)
		}
		if seen[s] {
			t.Fatalf("secret %q generated twice", s)
		}
		seen[s] = true
	}
}

func TestParseSecret(t *testing.T) {
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	tests := []struct {
		name   string
		secret string
		size   int // 0: an error is wanted
	}{
		{"prefixed 32 bytes", "whsec_" + b64(32), 32},
		{"bare base64", b64(32), 32},
		{"shortest", "whsec_" + b64(24), 24},
		{"longest", "whsec_" + b64(64), 64},
		{"too short", "whsec_" + b64(23), 0},
		{"too long", "whsec_" + b64(65), 0},
		{"empty", "", 0},
		{"prefix only", "whsec_", 0},
		{"not base64", "whsec_***", 0},
		{"url-safe alphabet", "whsec_" + strings.Repeat("_-", 16), 0},
		{"unpadded", "whsec_" + strings.TrimRight(b64(25), "="), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := webhook.ParseSecret(tt.secret)
			if tt.size == 0 {
				e := countersign.AsError(err)
				if e == nil || e.Code != countersign.EVALIDATION || e.Field != "secret" {
					t.Fatalf("ParseSecret = %v, want an EVALIDATION error on secret", err)
				}
				return
			}
			if err != nil || len(key) != tt.size {
				t.Fatalf("ParseSecret = %d bytes, %v; want %d bytes", len(key), err, tt.size)
			}
		})
	}
}

func TestMaskSecret(t *testing.T) {
	tests := []struct{ in, want string }{
		{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_****LaSw"},
		{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "****LaSw"},
		{"whsec_short", "whsec_****"},
	}
	for _, tt := range tests {
		if got := webhook.MaskSecret(tt.in); got != tt.want {
			t.Errorf("MaskSecret(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
