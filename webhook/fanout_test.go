package webhook_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/webhook"
)

func TestRecipients(t *testing.T) {
	subs := []webhook.Subscriber{
		{EndpointID: "ep_all", Subscription: webhook.NewSubscription([]string{"*"})},
		{EndpointID: "ep_tx", Subscription: webhook.NewSubscription([]string{"transaction.*"})},
		{EndpointID: "ep_action", Subscription: webhook.NewSubscription([]string{string(events.ActionOpened)})},
		{EndpointID: "ep_none"},
	}
	tests := []struct {
		name string
		t    events.Type
		only string
		want []string
	}{
		{"a wildcard and a prefix", events.TransactionStarted, "", []string{"ep_all", "ep_tx"}},
		{"an exact type", events.ActionOpened, "", []string{"ep_all", "ep_action"}},
		{"webhook.test never goes by subscription", events.WebhookTest, "", nil},
		{"only: the endpoint under test, whatever it subscribes to", events.WebhookTest, "ep_none", []string{"ep_none"}},
		{"only: an endpoint that is not enabled gets nothing", events.WebhookTest, "ep_gone", nil},
		{"only also holds for other types", events.ActionOpened, "ep_tx", []string{"ep_tx"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := webhook.Recipients(subs, tt.t, tt.only); !slices.Equal(got, tt.want) {
				t.Errorf("Recipients(%s, only %q) = %v, want %v", tt.t, tt.only, got, tt.want)
			}
		})
	}
}

func TestReplayableTo(t *testing.T) {
	e := webhook.Endpoint{EventTypes: []string{"transaction.*"}}
	for typ, want := range map[events.Type]bool{
		events.TransactionStarted: true,
		events.ActionOpened:       false,
		events.WebhookTest:        true,
	} {
		if got := webhook.ReplayableTo(e, typ); got != want {
			t.Errorf("ReplayableTo(%s) = %v, want %v", typ, got, want)
		}
	}
}

// TestSubscriptionsCompileOncePerVersion checks that the cache asks for the
// stored patterns only when an endpoint's version is new to it.
func TestSubscriptionsCompileOncePerVersion(t *testing.T) {
	var c webhook.Subscriptions
	reads := 0
	patterns := func(ps ...string) func() ([]string, error) {
		return func() ([]string, error) { reads++; return ps, nil }
	}
	steps := []struct {
		id        string
		version   int64
		patterns  []string
		wantReads int
		matches   events.Type
	}{
		{"ep_1", 1, []string{"transaction.*"}, 1, events.TransactionStarted},
		{"ep_1", 1, []string{"action.*"}, 1, events.TransactionStarted}, // cached: the new patterns are not read
		{"ep_2", 1, []string{"action.*"}, 2, events.ActionOpened},
		{"ep_1", 2, []string{"action.*"}, 3, events.ActionOpened}, // a new version is compiled again
	}
	for i, s := range steps {
		sub, err := c.Get(s.id, s.version, patterns(s.patterns...))
		if err != nil {
			t.Fatal(err)
		}
		if reads != s.wantReads || !sub.Matches(s.matches) {
			t.Fatalf("step %d: %d reads (want %d), matches %s: %v", i, reads, s.wantReads, s.matches, sub.Matches(s.matches))
		}
	}
	bad := errors.New("corrupt")
	if _, err := c.Get("ep_3", 1, func() ([]string, error) { return nil, bad }); !errors.Is(err, bad) {
		t.Fatalf("a failed read: %v", err)
	}
	if _, err := c.Get("ep_3", 1, patterns("*")); err != nil || reads != 4 {
		t.Fatalf("a failed read must not be cached: %v, %d reads", err, reads)
	}
}
