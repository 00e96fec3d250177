package webhook_test

import (
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

func TestReservedHeader(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"webhook-id", true},
		{"Webhook-Signature", true},
		{"WEBHOOK-ANYTHING", true},
		{"content-type", true},
		{"Content-Length", true},
		{"host", true},
		{"User-Agent", true},
		{"Authorization", false},
		{"X-Api-Key", false},
		{"Webhooks", false},
	}
	for _, tt := range tests {
		if got := webhook.ReservedHeader(tt.name); got != tt.want {
			t.Errorf("ReservedHeader(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestValidateHeaders(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
		ok      bool
	}{
		{"none", nil, true},
		{"credentials", map[string]string{"Authorization": "Bearer abc", "X-Tenant": "t1\tx"}, true},
		{"reserved", map[string]string{"webhook-id": "x"}, false},
		{"content type", map[string]string{"Content-Type": "text/plain"}, false},
		{"space in name", map[string]string{"X Bad": "x"}, false},
		{"empty name", map[string]string{"": "x"}, false},
		{"newline in value", map[string]string{"X-Ok": "a\r\nX-Injected: 1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhook.ValidateHeaders(tt.headers)
			if tt.ok != (err == nil) {
				t.Fatalf("ValidateHeaders = %v, want ok %v", err, tt.ok)
			}
			if err != nil {
				if e := countersign.AsError(err); e == nil || e.Code != countersign.EVALIDATION || e.Field != "headers" {
					t.Fatalf("ValidateHeaders = %v, want an EVALIDATION error on headers", err)
				}
			}
		})
	}
}
