package webhook

import (
	"testing"

	"github.com/countersign/countersign/events"
)

func TestOrderKey(t *testing.T) {
	const pid = "0b7d4f9e-4c1a-4b8e-9f57-3f2a1c6d8e01"
	for _, tc := range []struct {
		o    Ordering
		t    events.Type
		res  string
		want string
	}{
		{OrderingProcess, events.TransactionStarted, pid, pid},
		{OrderingProcess, events.ActionClosed, pid, pid},
		{OrderingProcess, events.IdentityValidationProcessed, pid, pid},
		{OrderingProcess, events.ChatMessageReceived, pid, pid},
		{OrderingProcess, events.RegistrationLifecycleCompleted, "reg", ""},
		{OrderingProcess, events.APIKeyCreated, "key_1", ""},
		{OrderingProcess, events.EndpointDisabled, "ep_1", ""},
		{OrderingProcess, events.WebhookTest, "ep_1", ""},
		{OrderingProcess, events.TransactionStarted, "", ""},
		{OrderingNone, events.TransactionStarted, pid, ""},
		{"", events.TransactionStarted, pid, ""},
	} {
		if got := OrderKey(tc.o, tc.t, tc.res); got != tc.want {
			t.Errorf("OrderKey(%q, %s, %q) = %q, want %q", tc.o, tc.t, tc.res, got, tc.want)
		}
	}
}

func TestOrderingValidate(t *testing.T) {
	for _, o := range Orderings {
		if err := o.Validate(); err != nil {
			t.Errorf("%s: %v", o, err)
		}
	}
	for _, o := range []Ordering{"", "fifo", "Process"} {
		if err := o.Validate(); err == nil {
			t.Errorf("%q accepted", o)
		}
	}
}
