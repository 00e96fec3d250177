package webhook_test

import (
	"context"
	"strings"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

// A refusal that the private-targets setting would lift names that setting,
// so a first local test knows what to change; one it would not lift (cloud
// metadata) does not suggest it.
func TestGuardRefusalNamesThePrivateTargetsSetting(t *testing.T) {
	resolver := fakeResolver{"localhost": {"127.0.0.1"}, "metadata.example.com": {"169.254.169.254"}}
	const setting = "COUNTERSIGN_ALLOW_PRIVATE_TARGETS"
	for _, tt := range []struct {
		url  string
		hint bool
	}{
		{"http://hooks.example.com/in", true},
		{"https://127.0.0.1:9000/in", true},
		{"https://localhost/in", true},
		{"https://10.1.2.3/in", true},
		{"https://[::1]/in", true},
		{"https://metadata.example.com/", false},
		{"https://169.254.169.254/", false},
		{"ftp://hooks.example.com/", false},
	} {
		err := webhook.Guard{}.CheckURL(context.Background(), tt.url, resolver)
		e := countersign.AsError(err)
		if e == nil || e.Field != "url" {
			t.Fatalf("%s: %v, want an error on url", tt.url, err)
		}
		if strings.Contains(e.Message, setting) != tt.hint {
			t.Errorf("%s: message %q; naming %s: want %v", tt.url, e.Message, setting, tt.hint)
		}
	}
}

// A bad subscription pattern says what patterns look like and where the
// types are listed.
func TestBadPatternHintsAtWildcardsAndTheCatalogue(t *testing.T) {
	for _, p := range []string{"transaction*", "action.explode", "payment.*", "transaction"} {
		e := countersign.AsError(webhook.ValidatePatterns([]string{p}))
		if e == nil || e.Field != "event_types" {
			t.Fatalf("%q: %v, want an error on event_types", p, e)
		}
		for _, want := range []string{`"` + p + `"`, ".*", "GET /v1/event-types"} {
			if !strings.Contains(e.Message, want) {
				t.Errorf("%q: message %q does not contain %q", p, e.Message, want)
			}
		}
	}
}
