package webhook_test

import (
	"fmt"
	"maps"
	"strings"
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
		// Receivers that map headers to variables (CGI, PHP, WSGI) read "_"
		// as "-": these would reach them as the reserved names.
		{"Webhook_Signature", true},
		{"WEBHOOK_ID", true},
		{"content_type", true},
		{"User_Agent", true},
		{"X_Tenant", false},
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
		{"reserved after folding", map[string]string{"Webhook_Signature": "v1,forged"}, false},
		{"one header twice after folding", map[string]string{"X-Tenant": "a", "x_tenant": "b"}, false},
		{"as many as allowed", numbered(webhook.MaxHeaders, 10), true},
		{"too many", numbered(webhook.MaxHeaders+1, 10), false},
		{"as large as allowed", numbered(4, webhook.MaxHeaderBytes/4-len("X-Header-00")), true},
		{"too large", numbered(4, webhook.MaxHeaderBytes/4-len("X-Header-00")+1), false},
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

// numbered returns n headers X-Header-00… whose values are size bytes long.
func numbered(n, size int) map[string]string {
	h := map[string]string{}
	for i := range n {
		h[fmt.Sprintf("X-Header-%02d", i)] = strings.Repeat("v", size)
	}
	return h
}

func TestSensitiveHeadersAreMasked(t *testing.T) {
	for name, want := range map[string]bool{
		"Authorization": true, "proxy-authorization": true, "Cookie": true, "X-Auth-Token": true,
		"X-Api-Key": true, "api_key": true, "X-Client-Secret": true, "X-Password": true, "X-Session-Id": true,
		"X-Credential": true, "X-Tenant": false, "Accept-Language": false, "X-Request-Source": false,
	} {
		if got := webhook.SensitiveHeader(name); got != want {
			t.Errorf("SensitiveHeader(%q) = %v, want %v", name, got, want)
		}
	}
	h := map[string]string{"Authorization": "Bearer abc", "X-Tenant": "acme", "X-Api-Key": "k"}
	got := webhook.MaskHeaders(h)
	want := map[string]string{"Authorization": webhook.MaskedValue, "X-Tenant": "acme", "X-Api-Key": webhook.MaskedValue}
	if !maps.Equal(got, want) {
		t.Errorf("MaskHeaders = %v, want %v", got, want)
	}
	if h["Authorization"] != "Bearer abc" {
		t.Errorf("MaskHeaders changed its argument: %v", h)
	}

	// An update that sends a masked value back keeps the stored one; another
	// value replaces it, and a header left out is removed.
	e := webhook.Endpoint{Headers: map[string]string{"Authorization": "Bearer abc", "X-Api-Key": "k", "X-Tenant": "acme"}}
	webhook.EndpointInput{Headers: map[string]string{"authorization": webhook.MaskedValue, "X-Api-Key": "k2", "X-Tenant": "beta"}}.Apply(&e)
	want = map[string]string{"authorization": "Bearer abc", "X-Api-Key": "k2", "X-Tenant": "beta"}
	if !maps.Equal(e.Headers, want) {
		t.Errorf("after an update that sent masks back: %v, want %v", e.Headers, want)
	}
	if err := (webhook.EndpointInput{Headers: map[string]string{"Cookie": webhook.MaskedValue}}).CheckMasks(e); err == nil {
		t.Errorf("a mask sent back for a header that holds none was taken")
	}
	if err := (webhook.EndpointInput{Headers: map[string]string{"AUTHORIZATION": webhook.MaskedValue}}).CheckMasks(e); err != nil {
		t.Errorf("a mask sent back for a stored header: %v", err)
	}
}
